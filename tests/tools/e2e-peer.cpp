// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-e2e-peer: the traffic end points of the end-to-end test harness. Every mode is bounded
// by TIMEOUT_MS and prints key=value lines (data in hex) that tests/e2e/traffic.cpp parses.
//
//   tcp-server 4|6 PORT TIMEOUT_MS REPLY_HEX      "ready", then "peer=A port=P", "data=HEX eof=0|1", "done"
//   udp-server 4|6 PORT TIMEOUT_MS REPLY_HEX      same for one datagram (the reply goes back to the peer)
//   tcp-client ADDR PORT TIMEOUT_MS PAYLOAD_HEX [SOURCE]
//       "result=connected|refused|unreachable|timeout|error ...", after connecting "reply=HEX eof=0|1"
//   udp-client ADDR PORT TIMEOUT_MS PAYLOAD_HEX [SOURCE]   "result=reply|unreachable|timeout|error ..."
//   ping ADDR TIMEOUT_MS [SOURCE]                           "result=reply|unreachable|timeout|error ..."
//
// ICMP errors are reported as icmp_type=T icmp_code=C icmp_from=A. A TCP connect that fails with
// ECONNREFUSED is "refused" (a RST) unless an ICMP error for that connection was seen on a raw
// socket, which makes it "unreachable" (e.g. REJECT --reject-with icmp-port-unreachable).
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

/// Closes the descriptor on scope exit.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_;
};

void say(const std::string& line) {
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
}

/// Prints `line` and returns `rc`, for "print the result and exit" paths.
int report(const std::string& line, int rc) {
    say(line);
    return rc;
}

std::string hex(const std::string& s) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

std::optional<std::string> unhex(const std::string& h) {
    if (h.size() % 2) return std::nullopt;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < h.size(); i += 2) {
        int a = val(h[i]), b = val(h[i + 1]);
        if (a < 0 || b < 0) return std::nullopt;
        out += static_cast<char>(a * 16 + b);
    }
    return out;
}

std::optional<long> number(const char* s, long lo, long hi) {
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(s, &end, 10);
    if (errno || !end || *end || end == s || v < lo || v > hi) return std::nullopt;
    return v;
}

/// An IPv4 or IPv6 socket address.
struct Addr {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family() const { return ss.ss_family; }
    sockaddr* sa() { return reinterpret_cast<sockaddr*>(&ss); }
    const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&ss); }
};

std::optional<Addr> parse_addr(const std::string& text, std::uint16_t port) {
    Addr a;
    if (text.find(':') == std::string::npos) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        if (::inet_pton(AF_INET, text.c_str(), &sin.sin_addr) != 1) return std::nullopt;
        std::memcpy(&a.ss, &sin, sizeof sin);
        a.len = sizeof sin;
    } else {
        sockaddr_in6 sin6{};
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(port);
        if (::inet_pton(AF_INET6, text.c_str(), &sin6.sin6_addr) != 1) return std::nullopt;
        std::memcpy(&a.ss, &sin6, sizeof sin6);
        a.len = sizeof sin6;
    }
    return a;
}

Addr any_addr(int family, std::uint16_t port) {
    return *parse_addr(family == AF_INET ? "0.0.0.0" : "::", port);
}

std::string addr_text(const sockaddr_storage& ss) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (ss.ss_family == AF_INET) {
        sockaddr_in sin;
        std::memcpy(&sin, &ss, sizeof sin);
        ::inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
    } else if (ss.ss_family == AF_INET6) {
        sockaddr_in6 sin6;
        std::memcpy(&sin6, &ss, sizeof sin6);
        ::inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof buf);
    }
    return buf;
}

std::uint16_t addr_port(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        sockaddr_in sin;
        std::memcpy(&sin, &ss, sizeof sin);
        return ntohs(sin.sin_port);
    }
    sockaddr_in6 sin6;
    std::memcpy(&sin6, &ss, sizeof sin6);
    return ntohs(sin6.sin6_port);
}

/// Raw address bytes (4 or 16) of an Addr.
std::string addr_bytes(const Addr& a) {
    if (a.family() == AF_INET) {
        sockaddr_in sin;
        std::memcpy(&sin, &a.ss, sizeof sin);
        return std::string(reinterpret_cast<const char*>(&sin.sin_addr), 4);
    }
    sockaddr_in6 sin6;
    std::memcpy(&sin6, &a.ss, sizeof sin6);
    return std::string(reinterpret_cast<const char*>(&sin6.sin6_addr), 16);
}

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

/// Waits for `events` on fd until deadline; returns revents (0 on timeout).
short wait_fd(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        return p.revents;
    }
}

std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// ---------------------------------------------------------------------------------------------
// ICMP errors seen on a raw socket, matched against the packet that caused them.

struct IcmpError {
    int type = -1;
    int code = -1;
    std::string from;
};

/// What the offending packet must look like: protocol, destination, ports (0 = any) or echo id.
struct Offender {
    int proto = 0;           // IPPROTO_TCP / IPPROTO_UDP / IPPROTO_ICMP / IPPROTO_ICMPV6
    std::string dst;         // raw address bytes
    std::uint16_t sport = 0;
    std::uint16_t dport = 0;
    int echo_id = -1;        // for pings
};

Fd open_icmp_raw(int family) {
    int fd = family == AF_INET ? ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP)
                               : ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    return Fd(fd);
}

/// Parses one ICMP(v6) message (v4: starting at the IP header). Returns the error if it is an
/// error about `off`, or with `echo_reply` set when it is the echo reply for off.echo_id.
std::optional<IcmpError> match_icmp(int family, const unsigned char* buf, std::size_t len, const Offender& off,
                                    bool* echo_reply) {
    const unsigned char* icmp = buf;
    std::size_t ilen = len;
    if (family == AF_INET) {
        if (len < 20) return std::nullopt;
        std::size_t ihl = static_cast<std::size_t>(buf[0] & 15) * 4;
        if (len < ihl + 8) return std::nullopt;
        icmp = buf + ihl;
        ilen = len - ihl;
    }
    if (ilen < 8) return std::nullopt;
    int type = icmp[0], code = icmp[1];
    bool is_reply = family == AF_INET ? type == 0 : type == 129;
    if (is_reply) {
        if (off.echo_id >= 0 && be16(icmp + 4) == off.echo_id && echo_reply) *echo_reply = true;
        return std::nullopt;
    }
    bool is_error = family == AF_INET ? (type == 3 || type == 11 || type == 12)
                                      : (type >= 1 && type <= 4);
    if (!is_error) return std::nullopt;
    const unsigned char* emb = icmp + 8;
    std::size_t elen = ilen - 8;
    int proto;
    const unsigned char* dst;
    const unsigned char* l4;
    std::size_t alen;
    if (family == AF_INET) {
        if (elen < 20) return std::nullopt;
        std::size_t ihl = static_cast<std::size_t>(emb[0] & 15) * 4;
        if (elen < ihl + 8) return std::nullopt;
        proto = emb[9];
        dst = emb + 16;
        alen = 4;
        l4 = emb + ihl;
    } else {
        if (elen < 48) return std::nullopt;
        proto = emb[6];
        dst = emb + 24;
        alen = 16;
        l4 = emb + 40;
    }
    if (proto != off.proto || std::string(reinterpret_cast<const char*>(dst), alen) != off.dst) return std::nullopt;
    if (off.echo_id >= 0) {
        int echo_req = family == AF_INET ? 8 : 128;
        if (l4[0] != echo_req || be16(l4 + 4) != off.echo_id) return std::nullopt;
    } else {
        if (off.sport && be16(l4) != off.sport) return std::nullopt;
        if (off.dport && be16(l4 + 2) != off.dport) return std::nullopt;
    }
    return IcmpError{type, code, {}};
}

/// Reads what is queued on the raw socket (until `deadline`, or only what is there now when
/// deadline is in the past) and returns the first ICMP error about `off`.
std::optional<IcmpError> read_icmp(int fd, int family, const Offender& off, Clock::time_point deadline,
                                   bool* echo_reply = nullptr) {
    if (fd < 0) return std::nullopt;
    for (;;) {
        unsigned char buf[2048];
        sockaddr_storage from{};
        socklen_t flen = sizeof from;
        ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return std::nullopt;
            if (ms_left(deadline) == 0 || !(wait_fd(fd, POLLIN, deadline) & POLLIN)) return std::nullopt;
            continue;
        }
        auto e = match_icmp(family, buf, static_cast<std::size_t>(n), off, echo_reply);
        if (e) {
            e->from = addr_text(from);
            return e;
        }
        if (echo_reply && *echo_reply) return std::nullopt;
    }
}

std::string icmp_fields(const IcmpError& e) {
    return "icmp_type=" + std::to_string(e.type) + " icmp_code=" + std::to_string(e.code) +
           " icmp_from=" + e.from;
}

std::string errno_field(int err) { return std::string("errno=") + (err ? std::to_string(err) : "0") +
                                          " error=\"" + std::strerror(err) + "\""; }

// ---------------------------------------------------------------------------------------------

int server(bool tcp, int family, std::uint16_t port, int timeout_ms, const std::string& reply) {
    Fd s(::socket(family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0));
    if (!s) return report("result=error " + errno_field(errno), 1);
    int one = 1;
    ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6) ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    Addr any = any_addr(family, port);
    if (::bind(s.get(), any.sa(), any.len) != 0) return report("result=error bind " + errno_field(errno), 1);
    if (tcp && ::listen(s.get(), 4) != 0) return report("result=error listen " + errno_field(errno), 1);
    say("ready");
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (!(wait_fd(s.get(), POLLIN, deadline) & POLLIN)) return report("result=timeout", 3);

    sockaddr_storage peer{};
    socklen_t plen = sizeof peer;
    if (!tcp) {
        char buf[65536];
        ssize_t n = ::recvfrom(s.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&peer), &plen);
        if (n < 0) return report("result=error recv " + errno_field(errno), 1);
        say("peer=" + addr_text(peer) + " port=" + std::to_string(addr_port(peer)));
        say("data=" + hex(std::string(buf, static_cast<std::size_t>(n))) + " eof=1");
        ::sendto(s.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), plen);
        say("done");
        return 0;
    }
    Fd c(::accept4(s.get(), reinterpret_cast<sockaddr*>(&peer), &plen, SOCK_CLOEXEC));
    if (!c) return report("result=error accept " + errno_field(errno), 1);
    say("peer=" + addr_text(peer) + " port=" + std::to_string(addr_port(peer)));
    std::string data;
    bool eof = false;
    deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!eof) {
        if (!(wait_fd(c.get(), POLLIN, deadline) & (POLLIN | POLLHUP | POLLERR))) break;
        char buf[4096];
        ssize_t n = ::read(c.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            eof = n == 0;
            if (n < 0) say("read_error " + errno_field(errno));
            break;
        }
        data.append(buf, static_cast<std::size_t>(n));
    }
    say("data=" + hex(data) + " eof=" + (eof ? "1" : "0"));
    std::size_t off = 0;
    while (off < reply.size()) {
        ssize_t n = ::send(c.get(), reply.data() + off, reply.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
    ::shutdown(c.get(), SHUT_WR);
    // Linger until the client closed too, so our FIN is not turned into a RST by unread data.
    char sink[256];
    auto linger = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (wait_fd(c.get(), POLLIN, linger) & (POLLIN | POLLHUP)) {
        if (::read(c.get(), sink, sizeof sink) <= 0) break;
    }
    say("done");
    return 0;
}

int tcp_client(const Addr& dst, std::uint16_t port, int timeout_ms, const std::string& payload,
               const std::optional<Addr>& source) {
    const int family = dst.family();
    Fd raw = open_icmp_raw(family);  // root only; without it every ECONNREFUSED counts as a RST
    Fd s(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s) return report("result=error " + errno_field(errno), 1);
    if (source && ::bind(s.get(), source->sa(), source->len) != 0) {
        return report("result=error bind " + errno_field(errno), 1);
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    int err = 0;
    bool pending = false;
    if (::connect(s.get(), dst.sa(), dst.len) != 0) {
        if (errno == EINPROGRESS) {
            pending = true;
        } else {
            err = errno;
        }
    }
    sockaddr_storage local{};
    socklen_t llen = sizeof local;
    ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&local), &llen);
    const Offender offender{IPPROTO_TCP, addr_bytes(dst), addr_port(local), port, -1};
    while (pending) {
        // Watch the raw socket too: an ICMP error ends the attempt at once, whether or not this
        // kernel treats it as fatal for a SYN (ICMPv6 errors only fail it at the next retransmit).
        pollfd fds[2] = {{s.get(), POLLOUT, 0}, {raw.get(), POLLIN, 0}};
        int r = ::poll(fds, raw ? 2 : 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return report("result=timeout", 0);
        if (raw && (fds[1].revents & POLLIN)) {
            if (auto icmp = read_icmp(raw.get(), family, offender, Clock::now())) {
                return report("result=unreachable " + icmp_fields(*icmp), 0);
            }
        }
        if (fds[0].revents) {
            socklen_t elen = sizeof err;
            ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
            pending = false;
        }
    }
    if (err) {
        // The raw socket got its copy of any ICMP error before TCP handled it: read what is queued.
        auto icmp = read_icmp(raw.get(), family, offender, Clock::now());
        if (icmp) return report("result=unreachable " + icmp_fields(*icmp) + " " + errno_field(err), 0);
        if (err == ECONNREFUSED) return report("result=refused " + errno_field(err), 0);
        if (err == ETIMEDOUT) return report("result=timeout " + errno_field(err), 0);
        if (err == EHOSTUNREACH || err == ENETUNREACH || err == EACCES || err == EPERM) {
            return report("result=unreachable " + errno_field(err), 0);
        }
        return report("result=error " + errno_field(err), 0);
    }
    say("result=connected local=" + addr_text(local) + " local_port=" + std::to_string(addr_port(local)));
    deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::size_t off = 0;
    while (off < payload.size()) {
        if (!(wait_fd(s.get(), POLLOUT, deadline) & POLLOUT)) break;
        ssize_t n = ::send(s.get(), payload.data() + off, payload.size() - off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
            say("send_error " + errno_field(errno));
            break;
        }
        off += static_cast<std::size_t>(n);
    }
    ::shutdown(s.get(), SHUT_WR);
    std::string reply;
    bool eof = false;
    while (!eof) {
        if (!(wait_fd(s.get(), POLLIN, deadline) & (POLLIN | POLLHUP | POLLERR))) break;
        char buf[4096];
        ssize_t n = ::read(s.get(), buf, sizeof buf);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
            eof = n == 0;
            if (n < 0) say("read_error " + errno_field(errno));
            break;
        }
        reply.append(buf, static_cast<std::size_t>(n));
    }
    say("reply=" + hex(reply) + " eof=" + (eof ? "1" : "0"));
    return 0;
}

int udp_client(const Addr& dst, std::uint16_t port, int timeout_ms, const std::string& payload,
               const std::optional<Addr>& source) {
    (void)port;
    const int family = dst.family();
    Fd s(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!s) return report("result=error " + errno_field(errno), 1);
    int one = 1;
    if (family == AF_INET) {
        ::setsockopt(s.get(), IPPROTO_IP, IP_RECVERR, &one, sizeof one);
    } else {
        ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
    }
    if (source && ::bind(s.get(), source->sa(), source->len) != 0) {
        return report("result=error bind " + errno_field(errno), 1);
    }
    if (::connect(s.get(), dst.sa(), dst.len) != 0) return report("result=error connect " + errno_field(errno), 1);
    if (::send(s.get(), payload.data(), payload.size(), 0) < 0) {
        return report("result=error send " + errno_field(errno), 0);
    }
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    short ev = wait_fd(s.get(), POLLIN, deadline);
    if (ev & POLLERR) {
        char data[512];
        char control[512];
        sockaddr_storage name{};
        iovec iov{data, sizeof data};
        msghdr msg{};
        msg.msg_name = &name;
        msg.msg_namelen = sizeof name;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        if (::recvmsg(s.get(), &msg, MSG_ERRQUEUE) >= 0) {
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR;
                bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR;
                if (!v4 && !v6) continue;
                sock_extended_err ee;
                std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
                sockaddr_storage offender{};
                const auto used = static_cast<std::size_t>(CMSG_DATA(c) - reinterpret_cast<unsigned char*>(c)) + sizeof ee;
                if (c->cmsg_len > used) {
                    std::memcpy(&offender, CMSG_DATA(c) + sizeof ee, std::min(c->cmsg_len - used, sizeof offender));
                }
                if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
                    IcmpError e{ee.ee_type, ee.ee_code, addr_text(offender)};
                    return report("result=unreachable " + icmp_fields(e) + " " + errno_field(static_cast<int>(ee.ee_errno)), 0);
                }
                return report("result=error " + errno_field(static_cast<int>(ee.ee_errno)), 0);
            }
        }
        return report("result=error " + errno_field(errno), 0);
    }
    if (!(ev & POLLIN)) return report("result=timeout", 0);
    char buf[65536];
    ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
    if (n < 0) return report("result=error recv " + errno_field(errno), 0);
    say("result=reply reply=" + hex(std::string(buf, static_cast<std::size_t>(n))));
    return 0;
}

std::uint16_t inet_checksum(const unsigned char* p, std::size_t len) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < len; i += 2) sum += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
    if (len % 2) sum += static_cast<std::uint32_t>(p[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

int ping(const Addr& dst, int timeout_ms, const std::optional<Addr>& source) {
    const int family = dst.family();
    Fd raw = open_icmp_raw(family);
    if (!raw) return report("result=error raw socket " + errno_field(errno), 1);
    if (source && ::bind(raw.get(), source->sa(), source->len) != 0) {
        return report("result=error bind " + errno_field(errno), 1);
    }
    const auto id = static_cast<std::uint16_t>(::getpid() & 0xffff);
    unsigned char pkt[8 + 16] = {};
    pkt[0] = family == AF_INET ? 8 : 128;
    pkt[4] = static_cast<unsigned char>(id >> 8);
    pkt[5] = static_cast<unsigned char>(id & 0xff);
    pkt[7] = 1;  // sequence 1
    std::memcpy(pkt + 8, "vuurmuur-e2e-png", 16);
    if (family == AF_INET) {  // the kernel fills in the ICMPv6 checksum, not the ICMP one
        std::uint16_t ck = inet_checksum(pkt, sizeof pkt);
        pkt[2] = static_cast<unsigned char>(ck >> 8);
        pkt[3] = static_cast<unsigned char>(ck & 0xff);
    }
    Addr to = dst;
    if (::sendto(raw.get(), pkt, sizeof pkt, 0, to.sa(), to.len) < 0) {
        int err = errno;
        if (err == ENETUNREACH || err == EHOSTUNREACH) return report("result=unreachable " + errno_field(err), 0);
        return report("result=error send " + errno_field(err), 0);
    }
    Offender off{family == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6}, addr_bytes(dst), 0, 0, id};
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    bool replied = false;
    auto e = read_icmp(raw.get(), family, off, deadline, &replied);
    if (e) return report("result=unreachable " + icmp_fields(*e), 0);
    if (replied) return report("result=reply", 0);
    return report("result=timeout", 0);
}

int usage() {
    std::fputs(
        "usage: vuurmuur-e2e-peer tcp-server|udp-server 4|6 PORT TIMEOUT_MS REPLY_HEX\n"
        "       vuurmuur-e2e-peer tcp-client|udp-client ADDR PORT TIMEOUT_MS PAYLOAD_HEX [SOURCE]\n"
        "       vuurmuur-e2e-peer ping ADDR TIMEOUT_MS [SOURCE]\n",
        stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage();
    const std::string& mode = args[0];
    if (mode == "tcp-server" || mode == "udp-server") {
        if (args.size() != 5 || (args[1] != "4" && args[1] != "6")) return usage();
        auto port = number(args[2].c_str(), 1, 65535);
        auto timeout = number(args[3].c_str(), 1, 600000);
        auto reply = unhex(args[4]);
        if (!port || !timeout || !reply) return usage();
        return server(mode == "tcp-server", args[1] == "4" ? AF_INET : AF_INET6, static_cast<std::uint16_t>(*port),
                      static_cast<int>(*timeout), *reply);
    }
    if (mode == "tcp-client" || mode == "udp-client") {
        if (args.size() != 5 && args.size() != 6) return usage();
        auto port = number(args[2].c_str(), 1, 65535);
        auto timeout = number(args[3].c_str(), 1, 600000);
        auto payload = unhex(args[4]);
        if (!port || !timeout || !payload) return usage();
        auto dst = parse_addr(args[1], static_cast<std::uint16_t>(*port));
        std::optional<Addr> src;
        if (args.size() == 6) {
            src = parse_addr(args[5], 0);
            if (!src) return usage();
        }
        if (!dst) return usage();
        return mode == "tcp-client"
                   ? tcp_client(*dst, static_cast<std::uint16_t>(*port), static_cast<int>(*timeout), *payload, src)
                   : udp_client(*dst, static_cast<std::uint16_t>(*port), static_cast<int>(*timeout), *payload, src);
    }
    if (mode == "ping") {
        if (args.size() != 3 && args.size() != 4) return usage();
        auto dst = parse_addr(args[1], 0);
        auto timeout = number(args[2].c_str(), 1, 600000);
        std::optional<Addr> src;
        if (args.size() == 4) {
            src = parse_addr(args[3], 0);
            if (!src) return usage();
        }
        if (!dst || !timeout) return usage();
        return ping(*dst, static_cast<int>(*timeout), src);
    }
    return usage();
}
