// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/exec.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace vuurmuur::apply {

namespace {

using Clock = std::chrono::steady_clock;

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

struct Pipe {
    int r = -1;
    int w = -1;
    bool open() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) return false;
        r = fds[0];
        w = fds[1];
        return true;
    }
    ~Pipe() {
        close_fd(r);
        close_fd(w);
    }
};

void ignore_sigpipe() {
    static const bool done = [] {
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        ::sigemptyset(&ign.sa_mask);
        ::sigaction(SIGPIPE, &ign, nullptr);
        return true;
    }();
    (void)done;
}

}  // namespace

std::string join_argv(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv) {
        if (!s.empty()) s += ' ';
        if (a.empty() || a.find_first_of(" \t\"'\\") != std::string::npos) {
            s += '\'' + a + '\'';
        } else {
            s += a;
        }
    }
    return s;
}

ExecResult run_program(const std::vector<std::string>& argv, const std::string& input,
                       std::chrono::milliseconds timeout) {
    ExecResult result;
    if (argv.empty() || argv[0].empty() || argv[0].front() != '/') {
        result.error = "not an absolute path: '" + (argv.empty() ? std::string() : argv[0]) + "'";
        return result;
    }
    ignore_sigpipe();
    Pipe in, out, err, status;
    if (!in.open() || !out.open() || !err.open() || !status.open()) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        return result;
    }
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::dup2(in.r, 0);
        ::dup2(out.w, 1);
        ::dup2(err.w, 2);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) ::sigaction(sig, &dfl, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(args[0], args.data());
        int e = errno;
        [[maybe_unused]] auto n = ::write(status.w, &e, sizeof e);
        ::_exit(127);
    }
    close_fd(in.r);
    close_fd(out.w);
    close_fd(err.w);
    close_fd(status.w);

    int exec_errno = 0;
    {
        ssize_t n;
        do {
            n = ::read(status.r, &exec_errno, sizeof exec_errno);
        } while (n < 0 && errno == EINTR);
        if (n != static_cast<ssize_t>(sizeof exec_errno)) exec_errno = 0;
    }
    if (input.empty()) close_fd(in.w);
    else ::fcntl(in.w, F_SETFL, ::fcntl(in.w, F_GETFL) | O_NONBLOCK);

    const auto deadline = Clock::now() + timeout;
    std::size_t written = 0;
    bool timed_out = false;
    while (out.r >= 0 || err.r >= 0) {
        pollfd fds[3];
        nfds_t n = 0;
        int idx_out = -1, idx_err = -1, idx_in = -1;
        if (out.r >= 0) { idx_out = static_cast<int>(n); fds[n++] = {out.r, POLLIN, 0}; }
        if (err.r >= 0) { idx_err = static_cast<int>(n); fds[n++] = {err.r, POLLIN, 0}; }
        if (in.w >= 0) { idx_in = static_cast<int>(n); fds[n++] = {in.w, POLLOUT, 0}; }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            timed_out = true;
            break;
        }
        int r = ::poll(fds, n, static_cast<int>(std::min<long long>(left, 60000)));
        if (r < 0) {
            if (errno == EINTR) continue;
            result.error = std::string("poll: ") + std::strerror(errno);
            timed_out = true;  // kill it below
            break;
        }
        auto drain = [&](int idx, int& fd, std::string& sink) {
            if (idx < 0 || (fds[idx].revents & (POLLIN | POLLHUP | POLLERR)) == 0) return;
            char buf[16384];
            ssize_t got = ::read(fd, buf, sizeof buf);
            if (got > 0) sink.append(buf, static_cast<std::size_t>(got));
            else if (got == 0 || (errno != EINTR && errno != EAGAIN)) close_fd(fd);
        };
        drain(idx_out, out.r, result.out);
        drain(idx_err, err.r, result.err);
        if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
            ssize_t w = ::write(in.w, input.data() + written, input.size() - written);
            if (w > 0) written += static_cast<std::size_t>(w);
            if ((w < 0 && errno != EAGAIN && errno != EINTR) || written >= input.size()) close_fd(in.w);
        }
    }
    close_fd(in.w);
    result.out.shrink_to_fit();  // a save of a large ruleset: tens of MB, read by appending
    if (timed_out) ::kill(pid, SIGKILL);
    int wstatus = 0;
    pid_t w;
    do {
        w = ::waitpid(pid, &wstatus, 0);
    } while (w < 0 && errno == EINTR);
    if (exec_errno != 0) {
        result.error = "cannot run " + argv[0] + ": " + std::strerror(exec_errno);
    } else if (timed_out) {
        if (result.error.empty()) {
            result.error = argv[0] + " did not finish within " +
                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                           " s and was killed";
        }
    } else if (w == pid && WIFEXITED(wstatus)) {
        result.exit_code = WEXITSTATUS(wstatus);
    } else if (w == pid && WIFSIGNALED(wstatus)) {
        result.error = argv[0] + " was killed by signal " + std::to_string(WTERMSIG(wstatus));
    } else {
        result.error = std::string("waitpid: ") + std::strerror(errno);
    }
    return result;
}

}  // namespace vuurmuur::apply
