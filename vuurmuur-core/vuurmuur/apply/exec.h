// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <string>
#include <vector>

/// Running the netfilter tools: fork/exec of an absolute path, no shell, the input on a pipe,
/// stdout and stderr captured, bounded by a deadline.
namespace vuurmuur::apply {

struct ExecResult {
    /// The exit status; -1 when the program could not be started, was killed by a signal or
    /// ran past its deadline (`error` says which).
    int exit_code = -1;
    std::string out;
    std::string err;
    std::string error;  ///< why it did not run to an exit status (empty when it did)

    bool ok() const { return exit_code == 0; }
};

/// Runs argv[0] (an absolute path) with argv, writes `input` to its stdin and closes it, and
/// collects stdout and stderr until it exits. After `timeout` it is killed (SIGKILL). SIGPIPE
/// is ignored in this process from the first call on (a tool that exits without reading its
/// input must not kill us); the child starts with default signal handling.
ExecResult run_program(const std::vector<std::string>& argv, const std::string& input = {},
                       std::chrono::milliseconds timeout = std::chrono::minutes{5});

/// "a b 'c d'" rendering of argv, for messages.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace vuurmuur::apply
