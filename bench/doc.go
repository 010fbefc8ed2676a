// Package bench compares Ringo's SIP parser with other Go SIP stacks on
// the same bytes. It is a module of its own so that the library never
// depends on the stacks it is measured against. See README.md.
package bench
