import Foundation

// Runs libFuzzer with this process's arguments (see `scripts/checks/fuzz.sh`); the target is
// `SMSSTATS_FUZZ_TARGET` (``FuzzTarget``).
_ = FuzzTarget.selected
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
