// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "e2e/netns.h"
#include "e2e/process.h"

/// Traffic through a Topology, and NFQUEUE / NFLOG listeners in its fw namespace. Everything is
/// bounded by a timeout and returns what happened instead of asserting. An address with ':' is
/// IPv6. Servers are started in the destination namespace and signal readiness before the
/// client starts (no sleeps).
namespace vuurmuur::test::e2e {

struct TrafficOptions {
    /// The client gives up after this long (connect, and again for the data exchange).
    Millis timeout{2000};
    /// Namespace the server runs in; default: the owner of the destination address (use this
    /// for DNAT, where the client talks to the fw's address).
    std::optional<Host> server;
    /// Port the server listens on; default: the destination port (DNAT/REDIRECT change it).
    std::optional<std::uint16_t> listen_port;
    /// Bind the client to this source address (must exist in the client namespace).
    std::string source;
    /// What the server sends back.
    std::string reply = "pong";
    /// false: start no server (e.g. to see what a closed port does).
    bool start_server = true;
};

struct TcpResult {
    bool connected = false;    ///< handshake completed
    bool refused = false;      ///< a TCP RST answered the SYN (no ICMP error involved)
    bool unreachable = false;  ///< an ICMP/ICMPv6 error (or a local routing error) answered
    bool timed_out = false;    ///< nothing answered before the timeout
    int icmp_type = -1;        ///< of the ICMP error, when one was seen
    int icmp_code = -1;
    std::string icmp_from;     ///< who sent it

    bool server_received = false;      ///< the server accepted the connection and read to EOF
    std::string received;              ///< what the server read
    std::string server_saw_peer_addr;  ///< client address as the server saw it (NAT checks)
    unsigned server_saw_peer_port = 0;
    bool reply_received = false;       ///< the client read the server's reply to EOF
    std::string reply;

    std::string error;  ///< harness trouble (server did not start, unexpected output)
    std::string log;    ///< everything the helpers printed, for INFO()
};

struct UdpResult {
    bool server_received = false;
    std::string received;
    std::string server_saw_peer_addr;
    unsigned server_saw_peer_port = 0;
    bool reply_received = false;  ///< the server's answer made it back
    std::string reply;
    bool unreachable = false;  ///< an ICMP error came back (icmp_type/icmp_code)
    int icmp_type = -1;
    int icmp_code = -1;
    std::string icmp_from;
    bool timed_out = false;  ///< no reply and no error before the timeout
    std::string error;
    std::string log;
};

struct PingResult {
    bool replied = false;
    bool unreachable = false;  ///< ICMP error (icmp_type/icmp_code), or no route locally
    int icmp_type = -1;
    int icmp_code = -1;
    std::string icmp_from;
    bool timed_out = false;
    std::string error;
    std::string log;
};

/// TCP: starts a one-shot server, connects from `from`, sends `payload`, half-closes, reads the
/// reply to EOF.
TcpResult tcp_connect(const Topology& topo, Host from, const std::string& addr, std::uint16_t port,
                      const std::string& payload, const TrafficOptions& opts = {});
/// UDP: starts a one-shot server, sends one datagram `payload`, waits for the reply or an error.
UdpResult udp_send(const Topology& topo, Host from, const std::string& addr, std::uint16_t port,
                   const std::string& payload, const TrafficOptions& opts = {});
/// One ICMP echo request from `from` to `addr`.
PingResult ping(const Topology& topo, Host from, const std::string& addr, Millis timeout = Millis{2000});

/// "connected refused=0 ... log=..." one-line summaries for INFO() / CAPTURE.
std::string describe(const TcpResult& r);
std::string describe(const UdpResult& r);
std::string describe(const PingResult& r);

/// key=value fields of one helper line; values may be "quoted" with \" \\ \xHH escapes.
std::map<std::string, std::string> parse_fields(const std::string& line);

struct NfqPacket {
    unsigned queue = 0;
    unsigned id = 0;
    std::string family;  ///< "ipv4" / "ipv6"
    std::string proto;   ///< "tcp", "udp", "icmp", "icmpv6" or the number
    std::string src, dst;
    unsigned sport = 0, dport = 0;
    std::uint32_t mark = 0;
    bool syn = false;
    unsigned len = 0;
    std::string verdict;
};

struct NflogPacket {
    unsigned group = 0;
    std::string prefix;
    std::string family;
    std::string src, dst;
    std::string proto;
    unsigned sport = 0, dport = 0;
    std::uint32_t mark = 0;
    std::string in, out;  ///< device names ("-" if none)
};

/// vuurmuur-nfq-listener in a namespace of `topo` (default fw). The constructor returns once the
/// queue is bound; it throws std::runtime_error (with the listener's stderr) if binding fails.
class NfqListener {
public:
    NfqListener(const Topology& topo, unsigned queue, unsigned count, const std::string& verdict,
                Millis timeout = Millis{5000}, Host where = Host::fw);
    /// Waits up to `max_wait` for the listener to have handled `count` packets and exit, stops
    /// it otherwise, and returns the packets it reported.
    std::vector<NfqPacket> finish(Millis max_wait = Millis{3000});
    /// True when the listener exited on its own after `count` packets (valid after finish()).
    bool completed() const { return completed_; }
    std::string log() const;
    /// False (with `why`) when the listener executable was not built.
    static bool available(std::string& why);

private:
    std::unique_ptr<Child> child_;
    bool completed_ = false;
};

/// vuurmuur-nflog-listener, same life cycle as NfqListener.
class NflogListener {
public:
    NflogListener(const Topology& topo, unsigned group, unsigned count, Millis timeout = Millis{5000},
                  Host where = Host::fw);
    std::vector<NflogPacket> finish(Millis max_wait = Millis{3000});
    bool completed() const { return completed_; }
    std::string log() const;
    static bool available(std::string& why);

private:
    std::unique_ptr<Child> child_;
    bool completed_ = false;
};

}  // namespace vuurmuur::test::e2e
