// SPDX-License-Identifier: GPL-2.0-or-later
#include "e2e/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace vuurmuur::test::e2e {

namespace {

using Clock = std::chrono::steady_clock;

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

bool has_line(const std::string& text, const std::string& line) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) return false;  // incomplete last line
        if (text.compare(pos, end - pos, line) == 0 && end - pos == line.size()) return true;
        pos = end + 1;
    }
    return false;
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

Child::Child(const std::vector<std::string>& argv, const std::string& input) : input_(input) {
    if (argv.empty()) throw std::invalid_argument("Child: empty argv");
    static const bool sigpipe_ignored = [] {
        std::signal(SIGPIPE, SIG_IGN);
        return true;
    }();
    (void)sigpipe_ignored;

    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed");
    }
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid_ == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        struct sigaction dfl{};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGPIPE, &dfl, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execvp(args[0], args.data());
        static const char msg[] = "exec failed\n";
        [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    in_fd_ = in[1];
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (input_.empty()) {
        close_fd(in_fd_);
    } else {
        ::fcntl(in_fd_, F_SETFL, ::fcntl(in_fd_, F_GETFL) | O_NONBLOCK);
    }
    pidfd_ = pidfd_open(pid_);
}

Child::~Child() {
    if (pid_ > 0 && !exited_) {
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    close_fd(in_fd_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    close_fd(pidfd_);
}

void Child::reap(bool block) {
    if (exited_ || pid_ <= 0) return;
    int status = 0;
    pid_t r;
    do {
        r = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == pid_ || (r < 0 && errno == ECHILD)) {
        exited_ = true;
        exit_code_ = (r == pid_ && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
        close_fd(pidfd_);
    }
}

bool Child::pump(Clock::time_point deadline) {
    pollfd fds[4];
    int n = 0;
    int idx_out = -1, idx_err = -1, idx_in = -1, idx_pid = -1;
    if (out_fd_ >= 0) { idx_out = n; fds[n++] = {out_fd_, POLLIN, 0}; }
    if (err_fd_ >= 0) { idx_err = n; fds[n++] = {err_fd_, POLLIN, 0}; }
    if (in_fd_ >= 0) { idx_in = n; fds[n++] = {in_fd_, POLLOUT, 0}; }
    if (!exited_ && pidfd_ >= 0) { idx_pid = n; fds[n++] = {pidfd_, POLLIN, 0}; }

    auto now = Clock::now();
    auto left = std::chrono::duration_cast<Millis>(deadline - now).count();
    if (left < 0) left = 0;
    if (!exited_ && pidfd_ < 0) left = std::min<long long>(left, 10);  // no pidfd: poll waitpid
    int timeout = static_cast<int>(std::min<long long>(left + 1, 60000));
    if (now >= deadline) timeout = 0;

    int r = ::poll(fds, static_cast<nfds_t>(n), timeout);  // n == 0: waits for waitpid polling
    if (r < 0) {
        if (errno == EINTR) return Clock::now() < deadline;
        throw std::runtime_error("poll failed");
    }
    auto read_into = [&](int idx, int& fd, std::string& sink) {
        if (idx < 0 || !(fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) return;
        char buf[8192];
        ssize_t got = ::read(fd, buf, sizeof buf);
        if (got > 0) {
            sink.append(buf, static_cast<std::size_t>(got));
        } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
            close_fd(fd);
        }
    };
    read_into(idx_out, out_fd_, out_);
    read_into(idx_err, err_fd_, err_);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t w = ::write(in_fd_, input_.data() + written_, input_.size() - written_);
        if (w > 0) written_ += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written_ >= input_.size()) close_fd(in_fd_);
    }
    if (idx_pid >= 0 && (fds[idx_pid].revents & POLLIN)) reap(true);
    if (!exited_ && pidfd_ < 0) reap(false);
    return Clock::now() < deadline;  // what was ready has been taken in either case
}

bool Child::wait_for_line(const std::string& line, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (!has_line(out_, line)) {
        if (out_fd_ < 0) return false;
        if (!pump(deadline) && !has_line(out_, line)) return false;
    }
    return true;
}

ProcessResult Child::finish(Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (!(exited_ && out_fd_ < 0 && err_fd_ < 0)) {
        if (!pump(deadline)) break;
    }
    if (!exited_) {
        timed_out_ = true;
        ::kill(pid_, SIGKILL);
        reap(true);
    }
    // The child is gone: drain what is left in the pipes, bounded in case a grandchild holds them.
    close_fd(in_fd_);
    auto drain_deadline = Clock::now() + Millis{1000};
    while (out_fd_ >= 0 || err_fd_ >= 0) {
        if (!pump(drain_deadline)) break;
    }
    close_fd(out_fd_);
    close_fd(err_fd_);
    return ProcessResult{exit_code_, out_, err_};
}

ProcessResult Child::stop(Millis grace) {
    if (!exited_ && pid_ > 0) ::kill(pid_, SIGTERM);
    bool was_timed_out = timed_out_;
    ProcessResult r = finish(grace);
    timed_out_ = was_timed_out;
    return r;
}

ProcessResult run(const std::vector<std::string>& argv, const std::string& input, Millis timeout) {
    Child child(argv, input);
    ProcessResult r = child.finish(timeout);
    if (child.timed_out()) {
        r.exit_code = -1;
        r.err += "\n[killed: no exit within " + std::to_string(timeout.count()) + " ms: " +
                 join_argv(argv) + "]";
    }
    return r;
}

}  // namespace vuurmuur::test::e2e
