// Package syntax is stage 1 of the engine, and the knowledge every stage
// shares.
//
// [Index] is what the later stages look up in the syntax of one package:
// the declarations, and per declaration, built on demand, cursors,
// identifier mentions and control-flow graphs. The rest are the shared
// predicates and API knowledge, each written once: static callees and
// type tests (predicates.go), positions and related information
// (positions.go), and package context and test-ending calls (context.go).
package syntax
