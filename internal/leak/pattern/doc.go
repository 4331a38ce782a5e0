// Package pattern is the table of the kinds of report, [Patterns]: each
// pattern's analyzer name, flag, URL anchor and documentation. It lies
// below every stage because a rule decides its verdict's pattern;
// package leak re-exports it as the engine's API.
package pattern
