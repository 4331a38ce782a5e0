// Package contract is the inference stage between the models and the
// rules: which types start a goroutine that only one of their methods
// releases (lifecycle contracts, by channel field or by stored cancel
// function), and which functions are generators (they return a channel
// that a goroutine they start feeds). Both are exported as facts, so
// that callers in other packages are checked too. The rules that report a
// broken contract or a caller that stops ranging are in package rule.
package contract
