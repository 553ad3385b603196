package cli

// profileStart is set by profile_on.go in a build with the tag "profile"; the release binary
// has no profiling hook at all. It returns the function that finishes the profile.
var profileStart = func() (stop func()) { return func() {} }
