// Package reliability holds nodenet's long-running and adversarial tests:
// soak, fault injection, isolation and abuse. It has no library code. Short
// versions run in `make test`; `make soak` runs the long ones
// (NODENET_SOAK=1). See docs/reliability.md.
package reliability
