// SPDX-License-Identifier: GPL-2.0-or-later
#include "vuurmuur/apply/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vuurmuur::apply {

namespace {

/// A device name that can go into a /proc path: what the kernel allows (IFNAMSIZ - 1, no '/',
/// no whitespace, not "." or "..").
bool safe_device(const std::string& dev) {
    if (dev.empty() || dev.size() > 15 || dev == "." || dev == "..") return false;
    return std::none_of(dev.begin(), dev.end(), [](char c) {
        return c == '/' || c == ':' || static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 127;
    });
}

const char* protection_key(model::Protection p) {
    switch (p) {
        case model::Protection::SourceRoutedPackets: return "accept_source_route";
        case model::Protection::IcmpRedirect: return "accept_redirects";
        case model::Protection::SendRedirect: return "send_redirects";
        case model::Protection::RpFilter: return "rp_filter";
        case model::Protection::LogMartians: return "log_martians";
    }
    return nullptr;
}

const char* protection_value(model::Protection p) {
    switch (p) {
        case model::Protection::RpFilter:
        case model::Protection::LogMartians: return "1";
        default: return "0";
    }
}

}  // namespace

std::string forward_key(ir::Family family) {
    return family == ir::Family::Ipv4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding";
}

std::vector<Sysctl> wanted_sysctls(const model::Config& config) {
    std::vector<Sysctl> out;
    const auto& s = config.settings;
    if (s.protect_syncookie) out.push_back({"net/ipv4/tcp_syncookies", "1", "PROTECT_SYNCOOKIE", false});
    if (s.protect_echobroadcast) {
        out.push_back({"net/ipv4/icmp_echo_ignore_broadcasts", "1", "PROTECT_ECHOBROADCAST", false});
    }
    if (s.conntrack_accounting) out.push_back({"net/netfilter/nf_conntrack_acct", "1", "CONNTRACK_ACCOUNTING", false});
    out.push_back({"net/netfilter/nf_conntrack_helper", "0",
                   "no automatic conntrack helpers: services name theirs (HELPER=)", true});
    std::vector<const model::Interface*> ifaces;
    for (const auto& i : config.interfaces) {
        if (i.active && !i.protections.empty()) ifaces.push_back(&i);
    }
    std::sort(ifaces.begin(), ifaces.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const model::Interface* i : ifaces) {
        std::string dev = i->device.substr(0, i->device.find(':'));
        if (!safe_device(dev)) continue;
        for (model::Protection p : i->protections) {
            out.push_back({"net/ipv4/conf/" + dev + "/" + protection_key(p), protection_value(p),
                           "interface " + i->name + ": protect against " + std::string(model::protection_name(p)),
                           true});  // a device that is not there (yet) is skipped, as the original does
        }
    }
    return out;
}

std::optional<std::string> read_sysctl(const std::string& key, const std::filesystem::path& root) {
    int fd = ::open((root / key).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    char buf[64];
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n < 0) return std::nullopt;
    std::string v(buf, static_cast<std::size_t>(n));
    v = v.substr(0, v.find('\n'));
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
    return v;
}

std::string write_sysctl(const std::string& key, const std::string& value, const std::filesystem::path& root) {
    const std::string path = (root / key).string();
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
    if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
    const std::string text = value + "\n";
    ssize_t n = ::write(fd, text.data(), text.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) return "cannot write " + path + ": " + std::strerror(err);
    return {};
}

void apply_sysctls(const std::vector<Sysctl>& wanted, std::vector<std::string>& notes,
                   std::vector<std::string>& warnings, const std::filesystem::path& root) {
    for (const auto& s : wanted) {
        auto now = read_sysctl(s.key, root);
        if (!now) {
            if (!s.optional) warnings.push_back(s.key + " does not exist in this kernel (" + s.why + ")");
            continue;
        }
        if (*now == s.value) continue;
        std::string err = write_sysctl(s.key, s.value, root);
        if (!err.empty()) warnings.push_back(err + " (" + s.why + ")");
        else notes.push_back(s.key + " = " + s.value + " (" + s.why + ")");
    }
}

}  // namespace vuurmuur::apply
