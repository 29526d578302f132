// Runs under `valgrind --tool=callgrind node --predictable`: requires one bundle and nothing else,
// so the instructions counted are node's start-up plus that require(). Without an argument it
// requires nothing: the start-up count that is taken off.
const bundle = process.argv[2];
if (bundle !== undefined) require(bundle);
