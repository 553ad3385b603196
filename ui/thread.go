package ui

import "fyne.io/fyne/v2"

// onUI hands f to the UI goroutine from background work. It is fyne.Do; tests replace it
// with a queue their own goroutine drains (see eventually), because Fyne's test driver
// would run f at once on the background goroutine, racing the test's own taps.
var onUI = fyne.Do
