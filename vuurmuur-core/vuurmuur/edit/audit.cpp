// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/edit/audit.h"

#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "vuurmuur/base/strings.h"

namespace vuurmuur::edit {

namespace {
std::string quoted(const std::string& s) { return "'" + base::printable(s, 600) + "'"; }
}  // namespace

std::string format(const AuditRecord& r) {
    std::string out = "user " + base::printable(r.user, 64) + ": " + r.action + " " + r.kind + " " +
                      quoted(r.object);
    if (!r.variable.empty()) out += " variable " + quoted(r.variable);
    if (r.action == "rename") {
        out += ": " + quoted(r.old_value) + " -> " + quoted(r.new_value);
    } else if (!r.old_value.empty() || !r.new_value.empty() || !r.variable.empty()) {
        out += ": " + quoted(r.old_value) + " -> " + quoted(r.new_value);
    }
    return out;
}

std::string current_user() {
    const uid_t uid = ::getuid();
    // getpwuid_r: no static buffer shared with other threads of the TUI.
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(size > 0 ? static_cast<std::size_t>(size) : 16384u);
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
        found->pw_name != nullptr) {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

AuditSink syslog_sink(std::string ident) {
    auto owned = std::make_shared<std::string>(std::move(ident));
    return [owned](const AuditRecord& record) {
        ::openlog(owned->c_str(), LOG_PID, LOG_AUTHPRIV);
        ::syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", format(record).c_str());
        ::closelog();
    };
}

}  // namespace vuurmuur::edit
