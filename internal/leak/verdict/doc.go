// Package verdict is the vocabulary between the rules and the report: a
// [Verdict] names the pattern, the goroutine, the operation that blocks
// and, in its [Reason], why nothing will unblock it. Each reason is a type
// of its own and words itself (words.go), so the compiler asks every new
// reason for its message. A verdict also carries the fixes that package
// fix found certainly safe ([Fix]).
package verdict
