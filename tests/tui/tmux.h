// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/run_process.h"
#include "support/temp_tree.h"

/// Drives a program in a private, headless tmux server for the TUI tests: keys in, screen text
/// out. Synchronisation is by content: wait_for() polls capture-pane until a text shows up,
/// and running out of time is a test failure (not a timing measurement).
namespace vuurmuur::test::tui {

/// Full path of tmux, or empty when it is not installed.
inline std::string tmux_program() {
    for (const char* p : {"/usr/bin/tmux", "/bin/tmux", "/usr/local/bin/tmux"}) {
        if (::access(p, X_OK) == 0) return p;
    }
    return {};
}

/// The path of the built vuurmuur-tui.
inline std::string tui_program() { return (binary_dir() / "vuurmuur-tui").string(); }

class Tmux {
public:
    /// Starts `argv` (no shell) in a new detached session of a private tmux server (its own
    /// socket in a temp dir), `width` x `height`, UTF-8 locale. The pane stays after the
    /// program exits, so its exit status can be read.
    Tmux(int width, int height, const std::vector<std::string>& argv)
        : socket_((dir_.path() / "tmux.sock").string()) {
        std::vector<std::string> cmd{tmux_program(), "-S", socket_, "-f", "/dev/null", "new-session", "-d",
                                     "-s", "t", "-x", std::to_string(width), "-y", std::to_string(height),
                                     "-e", "LANG=C.UTF-8", "-e", "TERM=tmux-256color", "--",
                                     // sh only records the exit status in a file: argv is passed
                                     // as "$@", never parsed by the shell
                                     "/bin/sh", "-c", "f=$1; shift; \"$@\"; echo $? > \"$f\"", "sh",
                                     status_file()};
        cmd.insert(cmd.end(), argv.begin(), argv.end());
        ProcessResult r = run_process(cmd);
        started_ = r.exit_code == 0;
        start_error_ = r.err;
        if (started_) tmux({"set-option", "-t", "t", "remain-on-exit", "on"});
    }
    ~Tmux() { tmux({"kill-server"}); }
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;

    bool started() const { return started_; }
    const std::string& start_error() const { return start_error_; }

    ProcessResult tmux(const std::vector<std::string>& args) const {
        std::vector<std::string> cmd{tmux_program(), "-S", socket_};
        cmd.insert(cmd.end(), args.begin(), args.end());
        return run_process(cmd);
    }

    /// Key names as tmux knows them ("Down", "Enter", "F10", "C-u", "IC", "DC").
    void keys(const std::vector<std::string>& names) const {
        std::vector<std::string> a{"send-keys", "-t", "t"};
        a.insert(a.end(), names.begin(), names.end());
        tmux(a);
    }
    /// Literal text.
    void type(const std::string& text) const { tmux({"send-keys", "-t", "t", "-l", text}); }

    std::string screen() const { return tmux({"capture-pane", "-p", "-t", "t"}).out; }

    /// Polls the screen until `text` shows (true), or the program is gone or `limit` passes
    /// (false). `limit` only bounds a hang.
    bool wait_for(const std::string& text, std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        for (;;) {
            last_ = screen();
            if (last_.find(text) != std::string::npos) return true;
            if (std::chrono::steady_clock::now() > end || dead()) return false;
            poll_pause();
        }
    }
    /// The screen of the last wait_for(), for INFO().
    const std::string& last_screen() const { return last_; }

    void resize(int width, int height) const {
        tmux({"resize-window", "-t", "t", "-x", std::to_string(width), "-y", std::to_string(height)});
    }

    /// A pane variable, e.g. "alternate_on" (1 while the program uses the alternate screen).
    std::string pane(const std::string& variable) const {
        std::string s = tmux({"display-message", "-p", "-t", "t", "#{" + variable + "}"}).out;
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    }

    /// Polls until pane variable `variable` reads `value` (true), or `limit` passes (false):
    /// tmux handles the program's last output a moment after it has exited.
    bool wait_pane(const std::string& variable, const std::string& value,
                   std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (pane(variable) != value) {
            if (std::chrono::steady_clock::now() > end) return false;
            poll_pause();
        }
        return true;
    }

    /// True when the program has exited.
    bool dead() const { return !read_status().empty(); }
    /// Waits (bounded) for the program to exit; its exit status, or -1.
    int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(30)) const {
        const auto end = std::chrono::steady_clock::now() + limit;
        for (;;) {
            std::string s = read_status();
            if (!s.empty()) return std::stoi(s);
            if (std::chrono::steady_clock::now() > end) return -1;
            poll_pause();
        }
    }

private:
    /// Between two polls: keeps the poll from starving the program it waits for. What the
    /// tests wait for is always the screen's content, never this pause.
    std::string status_file() const { return (dir_.path() / "exit-status").string(); }
    /// The exit status line once the program has exited and sh has written it whole.
    std::string read_status() const {
        std::error_code ec;
        if (!std::filesystem::exists(status_file(), ec)) return {};
        std::string s = read_file(status_file());
        return s.find('\n') == std::string::npos ? std::string() : s;
    }
    static void poll_pause() { std::this_thread::sleep_for(std::chrono::milliseconds(10)); }

    TempDir dir_;
    std::string socket_;
    bool started_ = false;
    std::string start_error_;
    mutable std::string last_;
};

}  // namespace vuurmuur::test::tui
