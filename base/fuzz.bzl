"""cc_fuzz_target: a libFuzzer target and the test that replays its inputs.

`cc_fuzz_target(name = "<stem>_fuzzer", srcs = ["<stem>_fuzzer.cc"], deps = ..., seeds = ...)`
defines, beside the code it fuzzes:

  <name>_lib    the sources, which define LLVMFuzzerTestOneInput (testonly, alwayslink);
  <name>        the fuzzer: with --config=fuzz (clang, libFuzzer, ASan + UBSan; tools/fuzz.sh),
                libFuzzer's main; in the normal gcc build, the replay main of //base:fuzz_replay_main;
  <name>_test   (size small) the replay main over `seeds` and every file in testdata/<name>/ (the
                committed seeds and the regression inputs of past crashes), so `bazel test //...`
                replays them without clang.

tools/fuzz.sh reads the files to start fuzzing from out of <name>_test's `data`, so that attribute
holds inputs only; runtime files the fuzzer itself needs go in `data`, on <name>_lib. With
`smoke = False` (a library under the target is known to crash on hostile input) the fuzzer is
tagged `fuzz_only_when_named`: tools/fuzz.sh then runs it only when named; its replay test runs
as any other.
"""

def cc_fuzz_target(name, srcs, deps = [], seeds = [], data = [], smoke = True):
    inputs = seeds + native.glob(["testdata/" + name + "/**"])
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        data = data,
        deps = deps,
        alwayslink = True,
    )
    native.cc_binary(
        name = name,
        testonly = True,
        deps = [":" + name + "_lib"] + select({
            "//base:fuzzing": [],
            "//conditions:default": ["//base:fuzz_replay_main"],
        }),
        linkopts = select({
            "//base:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = [] if smoke else ["fuzz_only_when_named"],
    )
    native.cc_test(
        name = name + "_test",
        size = "small",
        data = inputs,
        args = [native.package_name() + "/" + f for f in inputs],
        deps = [
            ":" + name + "_lib",
            "//base:fuzz_replay_main",
        ],
    )
