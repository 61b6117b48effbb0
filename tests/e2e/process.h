// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/run_process.h"

/// Child processes with deadlines, for the end-to-end harness: nothing here waits without a bound.
namespace vuurmuur::test::e2e {

using vuurmuur::test::ProcessResult;
using Millis = std::chrono::milliseconds;

/// A child process (fork/execvp, no shell) whose stdout/stderr are captured. The destructor
/// kills (SIGKILL) and reaps it if it is still running.
class Child {
public:
    /// Starts argv[0] (searched in PATH). `input` is written to its stdin, then stdin is closed.
    explicit Child(const std::vector<std::string>& argv, const std::string& input = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    /// Reads output until a stdout line equals `line`. False when the child closed stdout or
    /// `timeout` passed first.
    bool wait_for_line(const std::string& line, Millis timeout);
    /// Waits up to `timeout` for the child to exit (reading its output); afterwards it is sent
    /// SIGKILL if still running. `timed_out()` tells which happened.
    ProcessResult finish(Millis timeout);
    /// Sends SIGTERM, then waits up to `grace` before SIGKILL; returns what it printed.
    ProcessResult stop(Millis grace = Millis{1000});

    bool timed_out() const { return timed_out_; }
    pid_t pid() const { return pid_; }
    const std::string& out() const { return out_; }
    const std::string& err() const { return err_; }

private:
    /// One poll round; returns false when the deadline passed.
    bool pump(std::chrono::steady_clock::time_point deadline);
    void reap(bool block);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    int in_fd_ = -1;
    int pidfd_ = -1;
    std::string input_;
    std::size_t written_ = 0;
    std::string out_;
    std::string err_;
    bool exited_ = false;
    bool timed_out_ = false;
    int exit_code_ = -1;
};

/// Runs argv to completion, killing it after `timeout` (then exit_code is -1 and err says so).
ProcessResult run(const std::vector<std::string>& argv, const std::string& input = {},
                  Millis timeout = Millis{10000});

/// "a b 'c d'" rendering of argv, for messages.
std::string join_argv(const std::vector<std::string>& argv);

}  // namespace vuurmuur::test::e2e
