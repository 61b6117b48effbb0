// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-nflog-listener GROUP COUNT [TIMEOUT_S]
//
// Binds NFLOG group GROUP in the current network namespace (libnetfilter_log), prints "ready",
// then one line per logged packet
//   group=G prefix="..." family=ipv4|ipv6 src=A dst=A proto=P sport=P dport=P mark=0x.. in=DEV out=DEV
// (the prefix escapes '"', '\' and non-printable bytes as \", \\, \xHH). Exits 0 after COUNT
// packets, 3 after TIMEOUT_S (default 10) seconds without them, 1 on errors (e.g. the group is
// bound by another socket in this namespace).
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <libnetfilter_log/libnetfilter_log.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "packet_fields.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace tools = vuurmuur::test::tools;

/// nflog_open() handle, closed on scope exit (which also unbinds its groups).
class NflogHandle {
public:
    NflogHandle() : h_(nflog_open()) {}
    ~NflogHandle() {
        if (h_) nflog_close(h_);
    }
    NflogHandle(const NflogHandle&) = delete;
    NflogHandle& operator=(const NflogHandle&) = delete;
    nflog_handle* get() const { return h_; }
    explicit operator bool() const { return h_ != nullptr; }

private:
    nflog_handle* h_;
};

/// A bound group; unbinding also frees the library's handle (nflog_close() does not).
class NflogGroup {
public:
    NflogGroup(nflog_handle* h, std::uint16_t group) : gh_(nflog_bind_group(h, group)) {}
    ~NflogGroup() {
        if (gh_) nflog_unbind_group(gh_);
    }
    NflogGroup(const NflogGroup&) = delete;
    NflogGroup& operator=(const NflogGroup&) = delete;
    nflog_g_handle* get() const { return gh_; }
    explicit operator bool() const { return gh_ != nullptr; }

private:
    nflog_g_handle* gh_;
};

struct State {
    unsigned group = 0;
    long wanted = 0;
    long seen = 0;
};

std::string escape(const char* s) {
    std::string out;
    for (const char* p = s; p && *p; ++p) {
        auto c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c >= 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string ifname(std::uint32_t index) {
    if (index == 0) return "-";
    char buf[IF_NAMESIZE] = {};
    return if_indextoname(index, buf) ? buf : std::to_string(index);
}

int on_packet(nflog_g_handle*, nfgenmsg* nfmsg, nflog_data* ld, void* data) {
    auto* st = static_cast<State*>(data);
    if (st->seen >= st->wanted) return 0;
    char* payload = nullptr;
    int len = nflog_get_payload(ld, &payload);
    tools::PacketFields f;
    if (len > 0 && payload) f = tools::parse_packet(reinterpret_cast<const unsigned char*>(payload), static_cast<std::size_t>(len));
    std::printf("group=%u prefix=\"%s\" family=%s src=%s dst=%s proto=%s sport=%u dport=%u mark=0x%x in=%s out=%s\n",
                st->group, escape(nflog_get_prefix(ld)).c_str(), tools::family_name(nfmsg->nfgen_family).c_str(),
                f.src.c_str(), f.dst.c_str(), tools::proto_name(f.proto).c_str(), f.sport, f.dport,
                nflog_get_nfmark(ld), ifname(nflog_get_indev(ld)).c_str(), ifname(nflog_get_outdev(ld)).c_str());
    std::fflush(stdout);
    ++st->seen;
    return 0;
}

int usage() {
    std::fputs("usage: vuurmuur-nflog-listener GROUP COUNT [TIMEOUT_S]\n", stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) return usage();
    long group = tools::parse_count(argv[1], 65535);
    long count = tools::parse_count(argv[2], 1000000);
    double timeout_s = argc > 3 ? tools::parse_seconds(argv[3]) : 10.0;
    if (group < 0 || count < 0 || timeout_s < 0) return usage();

    NflogHandle h;
    if (!h) {
        std::fprintf(stderr, "nflog-listener: nflog_open: %s\n", std::strerror(errno));
        return 1;
    }
    State st;
    st.group = static_cast<unsigned>(group);
    st.wanted = count;
    // The library waits for the kernel's acknowledgement, so a refused bind fails here.
    NflogGroup bound(h.get(), static_cast<std::uint16_t>(group));
    nflog_g_handle* gh = bound.get();
    if (!bound) {
        std::fprintf(stderr, "nflog-listener: bind group %ld: %s\n", group, std::strerror(errno));
        return 1;
    }
    if (nflog_set_mode(gh, NFULNL_COPY_PACKET, 0xffff) < 0) {
        std::fprintf(stderr, "nflog-listener: copy mode: %s\n", std::strerror(errno));
        return 1;
    }
    // Deliver each packet at once instead of batching (kernel default: 100 packets or 1 s).
    if (nflog_set_qthresh(gh, 1) < 0 || nflog_set_timeout(gh, 0) < 0) {
        std::fprintf(stderr, "nflog-listener: queue threshold: %s\n", std::strerror(errno));
        return 1;
    }
    nflog_callback_register(gh, on_packet, &st);
    std::printf("ready\n");
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    const int fd = nflog_fd(h.get());
    std::vector<char> buf(65536);
    while (st.seen < st.wanted) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            std::fprintf(stderr, "nflog-listener: timeout after %ld of %ld packet(s)\n", st.seen, st.wanted);
            return 3;
        }
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left));
        if (r <= 0) continue;
        ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS) continue;
            std::fprintf(stderr, "nflog-listener: recv: %s\n", std::strerror(errno));
            return 1;
        }
        nflog_handle_packet(h.get(), buf.data(), static_cast<int>(n));
    }
    return 0;
}
