// SPDX-License-Identifier: GPL-2.0-or-later
// Issue acceptance, proven by real packets: every test writes a small config tree whose
// interfaces are the fw devices of a fresh e2e Topology, runs it through the real pipeline
// (load_and_check -> compile -> render), loads both families into the fw namespace with
// `iptables-restore --noflush` and sends traffic through it. Each test pairs an effect of its
// rules with a control flow that tells the rule (not the DROP policy or a missing listener)
// apart, so every assertion can fail.
//
// Tree used by all tests (rules refer to these names):
//   zones cli / srv / in2, each with network "net" (10.99.N.0/24 + fd99:N::/64) on interface
//   cli-if / srv-if / in2-if (the fw's device and address towards that side);
//   hosts client.net.cli (10.99.1.2), server.net.srv (10.99.2.2), inside.net.in2 (10.99.3.2);
//   services tcp5000 .. tcp5009 (TCP="<port>*1024:65535") and udp5353.
#include <catch2/catch.hpp>

#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/netns.h"
#include "e2e/traffic.h"
#include "support/temp_tree.h"
#include "vuurmuur/compile/compiler.h"
#include "vuurmuur/diag/diagnostic.h"
#include "vuurmuur/pipeline.h"
#include "vuurmuur/render/iptables_restore.h"

using namespace vuurmuur::test::e2e;
using vuurmuur::test::TempDir;

namespace {

/// Catch2 v2 has no SKIP: warn and leave the test case when namespaces are not possible.
#define E2E_SKIP_UNLESS_LISTENER(Listener)                                                      \
    do {                                                                                        \
        std::string e2e_why_;                                                                   \
        if (!Listener::available(e2e_why_)) {                                                   \
            WARN("SKIPPED end-to-end test: " << e2e_why_);                                      \
            return;                                                                             \
        }                                                                                       \
    } while (0)

const std::vector<Family> kFamilies{Family::ipv4, Family::ipv6};

// Negative checks (no answer expected) wait this long; positive ones use the 2 s default,
// which they only spend when they fail.
const Millis kShort{1000};

TrafficOptions quick() {
    TrafficOptions o;
    o.timeout = kShort;
    return o;
}

struct TreeOptions {
    /// false: server.net.srv has no IPV6ADDRESS.
    bool server_ipv6 = true;
    /// Extra config.conf lines.
    std::string config;
};

const char* zone_of(Host side) {
    switch (side) {
        case Host::cli: return "cli";
        case Host::srv: return "srv";
        case Host::in2: return "in2";
        case Host::fw: break;
    }
    return "?";
}

const char* host_name(Host side) {
    switch (side) {
        case Host::cli: return "client";
        case Host::srv: return "server";
        case Host::in2: return "inside";
        case Host::fw: break;
    }
    return "?";
}

/// "10.99.1.2" -> "10.99.1.0"; "fd99:1::/64" -> "fd99:1::".
std::string network_address(Host side, Family f) {
    std::string net = Topology::subnet(side, f);
    return net.substr(0, net.find('/'));
}

/// Writes the base tree (see the file comment), `rules` as rules/rules.conf and config.conf.
void write_tree(const TempDir& dir, const Topology& topo, const std::vector<std::string>& rules,
                const TreeOptions& opts = {}) {
    for (Host side : {Host::cli, Host::srv, Host::in2}) {
        const std::string zone = zone_of(side);
        const std::string iface = zone + "-if";
        dir.write("interfaces/" + iface + ".conf",
                  "ACTIVE=\"Yes\"\n"
                  "DEVICE=\"" + topo.fw_iface(side) + "\"\n"
                  "IPADDRESS=\"" + Topology::fw_addr(side, Family::ipv4) + "\"\n"
                  "IPV6ADDRESS=\"" + Topology::fw_addr(side, Family::ipv6) + "\"\n"
                  "VIRTUAL=\"No\"\n"
                  "COMMENT=\"fw towards " + zone + "\"\n");
        dir.write("zones/" + zone + "/zone.config", "ACTIVE=\"Yes\"\n");
        dir.write("zones/" + zone + "/networks/net/network.config",
                  "ACTIVE=\"Yes\"\n"
                  "NETWORK=\"" + network_address(side, Family::ipv4) + "\"\n"
                  "NETMASK=\"255.255.255.0\"\n"
                  "IPV6NETWORK=\"" + network_address(side, Family::ipv6) + "\"\n"
                  "IPV6CIDR=\"64\"\n"
                  "INTERFACE=\"" + iface + "\"\n");
        std::string host = "ACTIVE=\"Yes\"\nIPADDRESS=\"" + Topology::addr(side, Family::ipv4) + "\"\n";
        if (side != Host::srv || opts.server_ipv6) {
            host += "IPV6ADDRESS=\"" + Topology::addr(side, Family::ipv6) + "\"\n";
        }
        dir.write("zones/" + zone + "/networks/net/hosts/" + host_name(side) + ".host", host);
    }
    for (int port = 5000; port <= 5009; ++port) {
        dir.write("services/tcp" + std::to_string(port),
                  "ACTIVE=\"Yes\"\nTCP=\"" + std::to_string(port) + "*1024:65535\"\n");
    }
    dir.write("services/udp5353", "ACTIVE=\"Yes\"\nUDP=\"5353*1024:65535\"\n");
    // No rate limits (determinism) and no log rules except the ones a test asks for.
    dir.write("config.conf",
              "USE_SYN_LIMIT=\"No\"\n"
              "USE_UDP_LIMIT=\"No\"\n"
              "LOG_POLICY=\"No\"\n"
              "LOG_INVALID=\"No\"\n"
              "LOG_NO_SYN=\"No\"\n"
              "LOG_PROBES=\"No\"\n"
              "LOG_FRAG=\"No\"\n"
              "LOG_BLOCKLIST=\"No\"\n" +
                  opts.config);
    std::string text;
    for (const auto& r : rules) text += "RULE=\"" + r + "\"\n";
    dir.write("rules/rules.conf", text);
}

struct Rendered {
    std::string v4;
    std::string v6;
    const std::string& of(Family f) const { return f == Family::ipv4 ? v4 : v6; }
};

/// The lines of `text` a failure report needs: the user rules (they name the topology's
/// devices), NAT, and the NFQUEUE / NFLOG / mark chains.
std::string user_lines(const std::string& text, const Topology& topo) {
    std::istringstream in(text);
    std::string line, out;
    bool nat = false;
    while (std::getline(in, line)) {
        if (line.rfind("*", 0) == 0) nat = line == "*nat";
        if (line.rfind("-A ", 0) != 0 || line.find("PRE-VRMR-") != std::string::npos) continue;
        if (nat || line.find(topo.prefix()) != std::string::npos || line.find("NFQ") != std::string::npos ||
            line.find("NFLOG-") != std::string::npos || line.find("MARKDISPATCH") != std::string::npos ||
            line.find("-A NEWACCEPT") == 0 || line.find("TCPRESET") != std::string::npos) {
            out += line + "\n";
        }
    }
    return out;
}

/// load_and_check + compile + render, then loads both families into the fw namespace.
Rendered compile_and_load(const Topology& topo, const std::vector<std::string>& rules,
                          const TreeOptions& opts = {}) {
    TempDir dir;
    write_tree(dir, topo, rules, opts);
    vuurmuur::diag::Diagnostics diags;
    auto loaded = vuurmuur::load_and_check(dir.path(), diags);
    {
        INFO("load_and_check:\n" << vuurmuur::diag::render_all(diags, dir.path().string()));
        REQUIRE(diags.error_count() == 0);
    }
    auto compiled = vuurmuur::compile::compile(loaded.config, vuurmuur::compile::CompileOptions{}, diags);
    {
        INFO("compile:\n" << vuurmuur::diag::render_all(diags, dir.path().string()));
        REQUIRE(diags.error_count() == 0);
    }
    Rendered r{vuurmuur::render::iptables_restore(compiled.ipv4), vuurmuur::render::iptables_restore(compiled.ipv6)};
    for (Family f : kFamilies) {
        ProcessResult p = topo.restore(f, r.of(f), {"--noflush"});
        INFO(to_string(f) << " ruleset:\n" << r.of(f) << "\nrestore stderr: " << p.err);
        REQUIRE(p.exit_code == 0);
    }
    return r;
}

void check_passes(const TcpResult& t, const std::string& payload, const std::string& reply = "pong") {
    CHECK(t.error.empty());
    CHECK(t.connected);
    CHECK_FALSE(t.timed_out);
    CHECK(t.server_received);
    CHECK(t.received == payload);
    CHECK(t.reply_received);
    CHECK(t.reply == reply);
}

void check_times_out(const TcpResult& t) {
    CHECK(t.error.empty());
    CHECK(t.timed_out);
    CHECK_FALSE(t.connected);
    CHECK_FALSE(t.refused);
    CHECK_FALSE(t.unreachable);
    CHECK_FALSE(t.server_received);
}

using TcpFuture = std::future<TcpResult>;

TcpFuture tcp_async(const Topology& topo, Host from, const std::string& addr, std::uint16_t port,
                    const std::string& payload, const TrafficOptions& opts) {
    return std::async(std::launch::async,
                      [&topo, from, addr, port, payload, opts] { return tcp_connect(topo, from, addr, port, payload, opts); });
}

}  // namespace

TEST_CASE("e2e compiled: accept passes TCP and UDP both ways - the DROP policy stops the rest",
          "[e2e][compiled]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    const Rendered r = compile_and_load(topo, {"accept service tcp5000 from net.cli to server.net.srv",
                                               "accept service udp5353 from net.cli to server.net.srv"});
    // Not allowed, run side by side: another port, and the accepted port in the other direction.
    std::vector<std::pair<std::string, TcpFuture>> blocked;
    for (Family f : kFamilies) {
        blocked.emplace_back(std::string(to_string(f)) + " cli->srv:5001",
                             tcp_async(topo, Host::cli, Topology::addr(Host::srv, f), 5001, "x", quick()));
        blocked.emplace_back(std::string(to_string(f)) + " srv->cli:5000",
                             tcp_async(topo, Host::srv, Topology::addr(Host::cli, f), 5000, "x", quick()));
    }
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        TrafficOptions o;
        o.reply = "from server";
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "from client", o);
        INFO("accepted tcp: " << describe(t));
        check_passes(t, "from client", "from server");
        CHECK(t.server_saw_peer_addr == Topology::addr(Host::cli, f));

        UdpResult u = udp_send(topo, Host::cli, Topology::addr(Host::srv, f), 5353, "datagram", o);
        INFO("accepted udp: " << describe(u));
        CHECK(u.error.empty());
        CHECK(u.server_received);
        CHECK(u.received == "datagram");
        CHECK(u.reply_received);
        CHECK(u.reply == "from server");
    }
    for (auto& [what, fut] : blocked) {
        TcpResult t = fut.get();
        INFO(what << ": " << describe(t) << "compiled v4:\n" << user_lines(r.v4, topo));
        check_times_out(t);
    }
}

TEST_CASE("e2e compiled: drop times out - reject answers with port-unreachable, RST or host-prohibited",
          "[e2e][compiled]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    // The accept-all rule last makes every earlier rule the reason for what its port sees.
    const Rendered r = compile_and_load(
        topo, {"drop service tcp5001 from net.cli to server.net.srv",
               "reject service tcp5002 from net.cli to server.net.srv",
               "reject service tcp5003 from net.cli to server.net.srv options rejecttype=\"tcp-reset\"",
               "reject service tcp5004 from net.cli to server.net.srv options rejecttype=\"icmp-host-prohibited\"",
               "accept service any from net.cli to server.net.srv"});
    std::vector<TcpFuture> dropped;
    for (Family f : kFamilies) dropped.push_back(tcp_async(topo, Host::cli, Topology::addr(Host::srv, f), 5001, "x", quick()));

    for (Family f : kFamilies) {
        const bool v4 = f == Family::ipv4;
        const std::string srv = Topology::addr(Host::srv, f);
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));

        TcpResult control = tcp_connect(topo, Host::cli, srv, 5000, "control");
        INFO("accept any (control): " << describe(control));
        check_passes(control, "control");

        TcpResult port = tcp_connect(topo, Host::cli, srv, 5002, "x", quick());
        INFO("reject (default): " << describe(port));
        CHECK(port.unreachable);
        CHECK_FALSE(port.connected);
        CHECK_FALSE(port.refused);
        CHECK_FALSE(port.timed_out);
        CHECK(port.icmp_type == (v4 ? 3 : 1));  // destination unreachable
        CHECK(port.icmp_code == (v4 ? 3 : 4));  // port unreachable
        CHECK(port.icmp_from == Topology::fw_addr(Host::cli, f));
        CHECK_FALSE(port.server_received);

        TcpResult rst = tcp_connect(topo, Host::cli, srv, 5003, "x", quick());
        INFO("reject tcp-reset: " << describe(rst));
        CHECK(rst.refused);
        CHECK_FALSE(rst.connected);
        CHECK_FALSE(rst.unreachable);
        CHECK_FALSE(rst.timed_out);
        CHECK_FALSE(rst.server_received);

        TcpResult prohibited = tcp_connect(topo, Host::cli, srv, 5004, "x", quick());
        INFO("reject icmp-host-prohibited: " << describe(prohibited));
        CHECK(prohibited.unreachable);
        CHECK_FALSE(prohibited.connected);
        CHECK_FALSE(prohibited.timed_out);
        CHECK(prohibited.icmp_type == (v4 ? 3 : 1));
        CHECK(prohibited.icmp_code == (v4 ? 10 : 1));  // host prohibited / icmp6-adm-prohibited
        CHECK(prohibited.icmp_from == Topology::fw_addr(Host::cli, f));
        CHECK_FALSE(prohibited.server_received);
    }
    for (auto& fut : dropped) {
        TcpResult t = fut.get();
        INFO("drop: " << describe(t));
        check_times_out(t);
    }
}

TEST_CASE("e2e compiled: portfw forwards the fw's listenport to the server's remoteport", "[e2e][compiled][nat]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    const Rendered r = compile_and_load(
        topo, {"portfw service tcp5000 from net.cli to server.net.srv options listenport=\"8080\",remoteport=\"5000\""});
    std::vector<TcpFuture> closed;
    for (Family f : kFamilies) {
        // Another port on the fw is neither forwarded nor open.
        TrafficOptions o = quick();
        o.start_server = false;
        closed.push_back(tcp_async(topo, Host::cli, Topology::fw_addr(Host::cli, f), 8081, "x", o));
    }
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        TrafficOptions o;
        o.server = Host::srv;
        o.listen_port = 5000;
        TcpResult t = tcp_connect(topo, Host::cli, Topology::fw_addr(Host::cli, f), 8080, "forwarded", o);
        INFO("portfw: " << describe(t));
        check_passes(t, "forwarded");
        // DNAT only: the server sees the real client.
        CHECK(t.server_saw_peer_addr == Topology::addr(Host::cli, f));
    }
    // The FORWARD accept is for the forwarded connection only: the server's own address stays
    // closed. (After the flows above: the server port is the same.)
    for (Family f : kFamilies) {
        closed.push_back(tcp_async(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "x", quick()));
    }
    for (auto& fut : closed) {
        TcpResult t = fut.get();
        INFO("fw port 8081: " << describe(t));
        check_times_out(t);
    }
}

TEST_CASE("e2e compiled: masq and snat hide the client behind the fw's address", "[e2e][compiled][nat]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    const Rendered r = compile_and_load(topo, {"accept service tcp5000 from net.cli to server.net.srv",
                                               "accept service tcp5001 from net.cli to server.net.srv",
                                               "accept service tcp5002 from net.cli to server.net.srv",
                                               "masq service tcp5000 from net.cli to net.srv",
                                               "snat service tcp5001 from net.cli to server.net.srv"});
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        const std::string srv = Topology::addr(Host::srv, f);

        TcpResult masq = tcp_connect(topo, Host::cli, srv, 5000, "masq");
        INFO("masq: " << describe(masq));
        check_passes(masq, "masq");
        CHECK(masq.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));

        TcpResult snat = tcp_connect(topo, Host::cli, srv, 5001, "snat");
        INFO("snat: " << describe(snat));
        check_passes(snat, "snat");
        CHECK(snat.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));

        // Control: accepted without a NAT rule, the client address is left alone.
        TcpResult plain = tcp_connect(topo, Host::cli, srv, 5002, "plain");
        INFO("no nat: " << describe(plain));
        check_passes(plain, "plain");
        CHECK(plain.server_saw_peer_addr == Topology::addr(Host::cli, f));
    }
}

TEST_CASE("e2e compiled: redirect sends the connection to a port on the fw", "[e2e][compiled][nat]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    const Rendered r = compile_and_load(
        topo, {"redirect service tcp5000 from net.cli to net.srv options redirectport=\"3128\""});
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        // Without the redirect the SYN would go on to srv, where nothing listens (and no
        // FORWARD rule lets it through).
        TrafficOptions o;
        o.server = Host::fw;
        o.listen_port = 3128;
        o.reply = "proxy";
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "redirected", o);
        INFO("redirect: " << describe(t));
        check_passes(t, "redirected", "proxy");
        CHECK(t.server_saw_peer_addr == Topology::addr(Host::cli, f));
    }
}

TEST_CASE("e2e compiled: bounce sends inside clients via the fw's outside address to an inside server",
          "[e2e][compiled][nat]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    // The server is client.net.cli (10.99.1.2). A second machine in the same network for the
    // hairpin: the cli namespace gets a second address and the client binds to it.
    const std::string second4 = "10.99.1.3";
    const std::string second6 = "fd99:1::3";
    ProcessResult add4 = topo.exec(Host::cli, {"ip", "addr", "add", second4 + "/24", "dev", topo.host_iface(Host::cli)});
    ProcessResult add6 =
        topo.exec(Host::cli, {"ip", "addr", "add", second6 + "/64", "dev", topo.host_iface(Host::cli), "nodad"});
    INFO(add4.err << add6.err);
    REQUIRE(add4.exit_code == 0);
    REQUIRE(add6.exit_code == 0);

    // srv-if plays the outside interface whose address the inside clients use.
    const Rendered r = compile_and_load(
        topo, {"bounce service tcp5000 from net.cli to client.net.cli options via_int=\"srv-if\"",
               "bounce service tcp5001 from net.in2 to client.net.cli options via_int=\"srv-if\""});
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        TrafficOptions o;
        o.server = Host::cli;
        o.listen_port = 5000;
        o.source = f == Family::ipv4 ? second4 : second6;
        TcpResult hairpin = tcp_connect(topo, Host::cli, Topology::fw_addr(Host::srv, f), 5000, "hairpin", o);
        INFO("bounce within net.cli: " << describe(hairpin));
        check_passes(hairpin, "hairpin");
        // SNAT to the via_int address, so the server's answer goes back through the fw.
        CHECK(hairpin.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));

        o.source.clear();
        o.listen_port = 5001;
        TcpResult across = tcp_connect(topo, Host::in2, Topology::fw_addr(Host::srv, f), 5001, "from in2", o);
        INFO("bounce from net.in2: " << describe(across));
        check_passes(across, "from in2");
        CHECK(across.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));
    }
    // Control: the FORWARD accept is for the translated connection only, not for in2 talking
    // to the server's own address. (After the flows above: the server port is the same.)
    std::vector<TcpFuture> direct;
    for (Family f : kFamilies) {
        direct.push_back(tcp_async(topo, Host::in2, Topology::addr(Host::cli, f), 5001, "x", quick()));
    }
    for (auto& fut : direct) {
        TcpResult t = fut.get();
        INFO("in2 -> server directly: " << describe(t));
        check_times_out(t);
    }
}

TEST_CASE("e2e compiled: the log option logs the NEW packet with the rule's prefix to NFGRP",
          "[e2e][compiled][nflog]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    E2E_SKIP_UNLESS_LISTENER(NflogListener);
    Topology topo;
    TreeOptions opts;
    opts.config = "NFGRP=\"42\"\n";
    const Rendered r = compile_and_load(
        topo, {"accept service tcp5000 from net.cli to server.net.srv options log,logprefix=\"e2e\""}, opts);
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        NflogListener log(topo, 42, 1);
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "logged");
        std::vector<NflogPacket> seen = log.finish();
        INFO(describe(t) << log.log());
        check_passes(t, "logged");
        CHECK(log.completed());
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].group == 42);
        CHECK(seen[0].prefix == "vrmr: ACCEPT e2e ");
        CHECK(seen[0].family == to_string(f));
        CHECK(seen[0].proto == "tcp");
        CHECK(seen[0].src == Topology::addr(Host::cli, f));
        CHECK(seen[0].dst == Topology::addr(Host::srv, f));
        CHECK(seen[0].dport == 5000);
        CHECK(seen[0].in == topo.fw_iface(Host::cli));
        CHECK(seen[0].out == topo.fw_iface(Host::srv));
    }
}

TEST_CASE("e2e compiled: the nflog action logs every packet of the connection and accepts it",
          "[e2e][compiled][nflog]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    E2E_SKIP_UNLESS_LISTENER(NflogListener);
    Topology topo;
    const Rendered r =
        compile_and_load(topo, {"nflog service tcp5000 from net.cli to server.net.srv options nflognum=\"5\""});
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        const std::string cli = Topology::addr(Host::cli, f);
        const std::string srv = Topology::addr(Host::srv, f);
        // A finished exchange has at least: SYN, SYN-ACK, ACK, data, reply. The listener leaves
        // after 5; later packets are not blocked by its absence (NFLOG does not hold packets).
        NflogListener log(topo, 5, 5);
        TcpResult t = tcp_connect(topo, Host::cli, srv, 5000, "logged connection");
        std::vector<NflogPacket> seen = log.finish();
        INFO(describe(t) << log.log());
        check_passes(t, "logged connection");
        CHECK(log.completed());
        REQUIRE(seen.size() == 5);
        // The first is the client's SYN (the NEW packet), the others established ones, in both
        // directions, all of the same connection.
        CHECK(seen[0].src == cli);
        CHECK(seen[0].dst == srv);
        CHECK(seen[0].dport == 5000);
        const unsigned client_port = seen[0].sport;
        CHECK(client_port >= 1024);
        bool reply_direction = false;
        for (const auto& p : seen) {
            CHECK(p.group == 5);
            CHECK(p.family == to_string(f));
            CHECK(p.proto == "tcp");
            const bool original = p.src == cli && p.dst == srv && p.sport == client_port && p.dport == 5000;
            const bool reply = p.src == srv && p.dst == cli && p.sport == 5000 && p.dport == client_port;
            CHECK((original || reply));
            reply_direction = reply_direction || reply;
        }
        CHECK(reply_direction);
    }
}

TEST_CASE("e2e compiled: nfqueue hands the whole connection to the queue's listener", "[e2e][compiled][nfqueue]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    E2E_SKIP_UNLESS_LISTENER(NfqListener);
    Topology topo;
    const Rendered r =
        compile_and_load(topo, {"nfqueue service tcp5000 from net.cli to server.net.srv options nfqueuenum=\"3\""});
    const std::string payload(300, 'q');
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        const std::string cli = Topology::addr(Host::cli, f);
        const std::string srv = Topology::addr(Host::srv, f);
        // Far more than one connection has: the listener stays bound for the whole connection
        // (without bypass, a packet queued after it left would be dropped).
        NfqListener q(topo, 3, 1000, "accept", Millis{10000});
        TcpResult t = tcp_connect(topo, Host::cli, srv, 5000, payload);
        // Every packet that made the exchange succeed was printed before its verdict; stop now.
        std::vector<NfqPacket> seen = q.finish(Millis{0});
        INFO(describe(t) << q.log());
        check_passes(t, payload);
        REQUIRE(seen.size() >= 5);
        CHECK(seen[0].queue == 3);
        CHECK(seen[0].syn);
        CHECK(seen[0].src == cli);
        CHECK(seen[0].dst == srv);
        CHECK(seen[0].dport == 5000);
        const unsigned client_port = seen[0].sport;
        bool client_data = false;
        bool server_packet = false;
        for (std::size_t i = 0; i < seen.size(); ++i) {
            const auto& p = seen[i];
            CHECK(p.queue == 3);
            CHECK(p.family == to_string(f));
            CHECK(p.proto == "tcp");
            CHECK(p.verdict == "accept");
            const bool original = p.src == cli && p.dst == srv && p.sport == client_port && p.dport == 5000;
            const bool reply = p.src == srv && p.dst == cli && p.sport == 5000 && p.dport == client_port;
            CHECK((original || reply));
            // The data segment: no SYN, same ports, carrying the payload.
            if (i > 0 && original && !p.syn && p.len > payload.size()) client_data = true;
            if (reply) server_packet = true;
        }
        CHECK(client_data);
        CHECK(server_packet);
    }
}

TEST_CASE("e2e compiled: nfqueue verdict drop, no listener with and without bypass, one queue per rule",
          "[e2e][compiled][nfqueue]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    E2E_SKIP_UNLESS_LISTENER(NfqListener);
    Topology topo;
    const Rendered r = compile_and_load(
        topo, {"nfqueue service tcp5000 from net.cli to server.net.srv options nfqueuenum=\"3\"",
               "nfqueue service tcp5001 from net.cli to server.net.srv options nfqueuenum=\"4\"",
               "nfqueue service tcp5002 from net.cli to server.net.srv options nfqueuenum=\"6\",bypass"});
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        const std::string cli = Topology::addr(Host::cli, f);
        const std::string srv = Topology::addr(Host::srv, f);
        {
            // Verdict drop on queue 3; nobody on queue 4 (fails closed); nobody on queue 6
            // with bypass (passes).
            NfqListener q(topo, 3, 1, "drop");
            auto dropped = tcp_async(topo, Host::cli, srv, 5000, "x", quick());
            auto unbound = tcp_async(topo, Host::cli, srv, 5001, "x", quick());
            TcpResult bypassed = tcp_connect(topo, Host::cli, srv, 5002, "bypassed");
            TcpResult d = dropped.get();
            TcpResult u = unbound.get();
            std::vector<NfqPacket> seen = q.finish();
            INFO("verdict drop: " << describe(d) << q.log());
            check_times_out(d);
            CHECK(q.completed());
            REQUIRE(seen.size() == 1);
            CHECK(seen[0].queue == 3);
            CHECK(seen[0].syn);
            CHECK(seen[0].src == cli);
            CHECK(seen[0].dport == 5000);
            CHECK(seen[0].verdict == "drop");
            INFO("queue 4, no listener, no bypass: " << describe(u));
            check_times_out(u);
            INFO("queue 6, no listener, bypass: " << describe(bypassed));
            check_passes(bypassed, "bypassed");
        }
        {
            // Two rules, two queues: each connection lands in its own.
            NfqListener q3(topo, 3, 1000, "accept", Millis{10000});
            NfqListener q4(topo, 4, 1000, "accept", Millis{10000});
            TcpResult t3 = tcp_connect(topo, Host::cli, srv, 5000, "to queue 3");
            TcpResult t4 = tcp_connect(topo, Host::cli, srv, 5001, "to queue 4");
            std::vector<NfqPacket> seen3 = q3.finish(Millis{0});
            std::vector<NfqPacket> seen4 = q4.finish(Millis{0});
            INFO("queue 3: " << describe(t3) << q3.log());
            INFO("queue 4: " << describe(t4) << q4.log());
            check_passes(t3, "to queue 3");
            check_passes(t4, "to queue 4");
            REQUIRE_FALSE(seen3.empty());
            REQUIRE_FALSE(seen4.empty());
            CHECK(seen3[0].syn);
            CHECK(seen4[0].syn);
            for (const auto& p : seen3) {
                CHECK(p.queue == 3);
                CHECK((p.dport == 5000 || p.sport == 5000));
            }
            for (const auto& p : seen4) {
                CHECK(p.queue == 4);
                CHECK((p.dport == 5001 || p.sport == 5001));
            }
            // More than the SYN went through each queue.
            CHECK(seen3.size() >= 5);
            CHECK(seen4.size() >= 5);
        }
    }
}

TEST_CASE("e2e compiled: NFQUEUE_BYPASS=Yes lets queued connections pass when nobody listens",
          "[e2e][compiled][nfqueue]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    TreeOptions opts;
    opts.config = "NFQUEUE_BYPASS=\"Yes\"\n";
    const Rendered r =
        compile_and_load(topo, {"nfqueue service tcp5000 from net.cli to server.net.srv options nfqueuenum=\"3\""}, opts);
    // Control: the DROP policy still stops what no rule queues.
    std::vector<TcpFuture> blocked;
    for (Family f : kFamilies) blocked.push_back(tcp_async(topo, Host::cli, Topology::addr(Host::srv, f), 5001, "x", quick()));
    for (Family f : kFamilies) {
        INFO(to_string(f) << " compiled user rules:\n" << user_lines(r.of(f), topo));
        TcpResult t = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "bypassed");
        INFO(describe(t));
        check_passes(t, "bypassed");
    }
    for (auto& fut : blocked) {
        TcpResult t = fut.get();
        INFO("not queued: " << describe(t));
        check_times_out(t);
    }
}

TEST_CASE("e2e compiled: an accept rule to a host without an IPv6 address opens nothing over IPv6",
          "[e2e][compiled]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    TreeOptions opts;
    opts.server_ipv6 = false;
    const Rendered r = compile_and_load(topo, {"accept service tcp5000 from net.cli to server.net.srv",
                                               "accept service tcp5001 from net.cli to net.srv"},
                                        opts);
    INFO("compiled v6 user rules:\n" << user_lines(r.v6, topo));
    const std::string srv6 = Topology::addr(Host::srv, Family::ipv6);
    auto v6 = tcp_async(topo, Host::cli, srv6, 5000, "x", quick());

    TcpResult v4 = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, Family::ipv4), 5000, "over ipv4");
    INFO("ipv4: " << describe(v4));
    check_passes(v4, "over ipv4");

    // Control: the network has an IPv6 prefix, so a rule to it does open IPv6.
    TcpResult net6 = tcp_connect(topo, Host::cli, srv6, 5001, "network rule");
    INFO("ipv6 via the network rule: " << describe(net6));
    check_passes(net6, "network rule");

    TcpResult t = v6.get();
    INFO("ipv6 to the host without IPV6ADDRESS: " << describe(t));
    check_times_out(t);
}
