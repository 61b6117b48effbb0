// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

/// Runs a program (fork/exec, no shell) and captures its output, for CLI tests.
namespace vuurmuur::test {

struct ProcessResult {
    int exit_code = -1;  ///< -1 when killed by a signal
    std::string out;
    std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {});
/// build/bin/vuurmuur-script with `args`.
ProcessResult run_script(const std::vector<std::string>& args, const std::string& input = {});

}  // namespace vuurmuur::test
