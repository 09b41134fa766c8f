package main

import "github.com/wabook/wabook/wa/sim"

// contact is a contact of the demo world as the generator makes it: the
// world file's contact (its shape is sim's, README "Simulated accounts"),
// whether it is saved in the address book, which every contact of the demo
// states, and the country it was made for, which groups and labels pick by.
type contact struct {
	sim.WorldContact
	inBook  bool
	country string
}
