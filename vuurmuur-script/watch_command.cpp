// SPDX-License-Identifier: GPL-2.0-or-later
#include "watch_command.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

#include "vuurmuur/apply/watch.h"

namespace vuurmuur::script {

int run_watch(const ScriptOptions& o, std::ostream& out, std::ostream& err) {
    // SIGTERM and SIGINT end the watch through a signalfd (no handler runs in the middle of
    // an apply: the re-apply in progress finishes first).
    sigset_t stop;
    ::sigemptyset(&stop);
    ::sigaddset(&stop, SIGTERM);
    ::sigaddset(&stop, SIGINT);
    sigset_t old;
    if (::sigprocmask(SIG_BLOCK, &stop, &old) != 0) {
        err << "vuurmuur-script: error: sigprocmask: " << std::strerror(errno) << "\n";
        return kCommandFailed;
    }
    int sfd = ::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) {
        err << "vuurmuur-script: error: signalfd: " << std::strerror(errno) << "\n";
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        return kCommandFailed;
    }
    apply::WatchOptions w;
    w.request.config_dir = o.config_dir;
    w.request.state_dir = o.state_dir;
    w.stop_fd = sfd;
    w.log = [&](const std::string& m) {
        bool problem = m.rfind("error: ", 0) == 0 || m.rfind("warning: ", 0) == 0;
        (problem ? err : out) << (problem ? "vuurmuur-script: " : "") << m << std::endl;
    };
    apply::WatchResult r = apply::watch(w);
    // Take the signal that ended the watch, so restoring the mask does not deliver it.
    signalfd_siginfo info{};
    while (::read(sfd, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
    ::close(sfd);
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!r.error.empty()) {
        err << "vuurmuur-script: error: " << r.error << "\n";
        return kCommandFailed;
    }
    out << "watch stopped after " << r.applies << " re-applies (" << r.failed << " failed)\n";
    return kSuccess;
}

}  // namespace vuurmuur::script
