// SPDX-License-Identifier: GPL-2.0-or-later
// Proves the end-to-end harness itself with hand-written rulesets: every test below asserts both
// an effect of its rules and a control flow that the rules leave alone, so each can fail.
#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <vector>

#include "e2e/netns.h"
#include "e2e/traffic.h"

using namespace vuurmuur::test::e2e;

namespace {

/// Catch2 v2 has no SKIP: warn and leave the test case when namespaces are not possible.
const std::vector<Family> kFamilies{Family::ipv4, Family::ipv6};

/// A *filter table with FORWARD policy `policy` and `rules` ("-A FORWARD ...").
std::string filter_table(const std::string& policy, const std::vector<std::string>& rules) {
    std::string t = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD " + policy + " [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    for (const auto& r : rules) t += r + "\n";
    return t + "COMMIT\n";
}

void load(const Topology& topo, Family f, const std::string& text) {
    ProcessResult r = topo.restore(f, text);
    INFO(to_string(f) << " ruleset:\n" << text << "stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
}

TrafficOptions quick(Millis timeout) {
    TrafficOptions o;
    o.timeout = timeout;
    return o;
}

// Negative checks (no answer expected) wait this long; positive ones use the 2 s default,
// which they only spend when they fail.
const Millis kShort{1000};

}  // namespace

TEST_CASE("e2e harness: topologies are unique per instance and removed on destruction", "[e2e][harness]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    std::vector<std::string> names;
    {
        Topology a;
        Topology b;
        CHECK(a.prefix() != b.prefix());
        CHECK(a.fw_iface(Host::cli).size() <= 15);
        CHECK(a.fw_iface(Host::cli) == a.prefix() + "-f0");
        CHECK(a.fw_iface(Host::srv) == a.prefix() + "-f1");
        CHECK(a.fw_iface(Host::in2) == a.prefix() + "-f2");
        ProcessResult links = a.exec(Host::fw, {"ip", "-o", "link", "show"});
        REQUIRE(links.exit_code == 0);
        for (Host side : {Host::cli, Host::srv, Host::in2}) {
            CHECK(links.out.find(a.fw_iface(side) + "@") != std::string::npos);
        }
        // Forwarding is on in the fw namespace only.
        CHECK(a.exec(Host::fw, {"sysctl", "-n", "net.ipv4.ip_forward"}).out == "1\n");
        CHECK(a.exec(Host::cli, {"sysctl", "-n", "net.ipv4.ip_forward"}).out == "0\n");
        for (Host h : {Host::cli, Host::fw, Host::srv, Host::in2}) {
            names.push_back(a.netns(h));
            names.push_back(b.netns(h));
        }
        ProcessResult list = run({"ip", "netns", "list"});
        for (const auto& n : names) CHECK(list.out.find(n) != std::string::npos);
    }
    ProcessResult list = run({"ip", "netns", "list"});
    REQUIRE(list.exit_code == 0);
    for (const auto& n : names) CHECK(list.out.find(n) == std::string::npos);
}

TEST_CASE("e2e harness: an accept-all ruleset forwards TCP, UDP and ICMP both ways", "[e2e][harness]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    // Policy DROP, so it is the rule that lets the traffic through.
    for (Family f : kFamilies) load(topo, f, filter_table("DROP", {"-A FORWARD -j ACCEPT"}));
    ProcessResult saved = topo.save(Family::ipv4);
    REQUIRE(saved.exit_code == 0);
    CHECK(saved.out.find(":FORWARD DROP") != std::string::npos);
    CHECK(strip_save_comments(saved.out).find("-A FORWARD -j ACCEPT\n") != std::string::npos);
    CHECK(strip_save_comments(saved.out).find("# ") == std::string::npos);

    ProcessResult bad = topo.restore(Family::ipv4, "*filter\n-A FORWARD -j NO_SUCH_CHAIN\nCOMMIT\n");
    CHECK(bad.exit_code != 0);
    CHECK_FALSE(bad.err.empty());

    for (Family f : kFamilies) {
        SECTION(std::string("traffic over ") + to_string(f)) {
            TrafficOptions o;
            o.reply = "world";
            TcpResult tcp = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5000, "hello", o);
            INFO(describe(tcp));
            CHECK(tcp.error.empty());
            CHECK(tcp.connected);
            CHECK_FALSE(tcp.refused);
            CHECK_FALSE(tcp.timed_out);
            CHECK(tcp.server_received);
            CHECK(tcp.received == "hello");
            CHECK(tcp.reply_received);
            CHECK(tcp.reply == "world");
            CHECK(tcp.server_saw_peer_addr == Topology::addr(Host::cli, f));

            TcpResult in2 = tcp_connect(topo, Host::srv, Topology::addr(Host::in2, f), 22, "to in2");
            INFO(describe(in2));
            CHECK(in2.connected);
            CHECK(in2.received == "to in2");
            CHECK(in2.server_saw_peer_addr == Topology::addr(Host::srv, f));

            UdpResult udp = udp_send(topo, Host::cli, Topology::addr(Host::srv, f), 5353, "datagram", o);
            INFO(describe(udp));
            CHECK(udp.error.empty());
            CHECK(udp.server_received);
            CHECK(udp.received == "datagram");
            CHECK(udp.server_saw_peer_addr == Topology::addr(Host::cli, f));
            CHECK(udp.reply_received);
            CHECK(udp.reply == "world");

            PingResult p = ping(topo, Host::cli, Topology::addr(Host::srv, f));
            INFO(describe(p));
            CHECK(p.replied);
            CHECK_FALSE(p.unreachable);
        }
    }
}

TEST_CASE("e2e harness: REJECT answers with a RST or an ICMP error", "[e2e][harness]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    load(topo, Family::ipv4,
         filter_table("ACCEPT", {"-A FORWARD -p tcp --dport 5000 -j REJECT --reject-with tcp-reset",
                                 "-A FORWARD -p tcp --dport 5001 -j REJECT --reject-with icmp-port-unreachable",
                                 "-A FORWARD -p icmp --icmp-type echo-request -j REJECT --reject-with icmp-host-prohibited"}));
    load(topo, Family::ipv6,
         filter_table("ACCEPT", {"-A FORWARD -p tcp --dport 5000 -j REJECT --reject-with tcp-reset",
                                 "-A FORWARD -p tcp --dport 5001 -j REJECT --reject-with icmp6-adm-prohibited",
                                 "-A FORWARD -p ipv6-icmp --icmpv6-type echo-request -j REJECT "
                                 "--reject-with icmp6-adm-prohibited"}));
    for (Family f : kFamilies) {
        SECTION(std::string("rejects over ") + to_string(f)) {
            const std::string srv = Topology::addr(Host::srv, f);
            const bool v4 = f == Family::ipv4;

            TcpResult rst = tcp_connect(topo, Host::cli, srv, 5000, "x");
            INFO(describe(rst));
            CHECK(rst.refused);
            CHECK_FALSE(rst.connected);
            CHECK_FALSE(rst.unreachable);
            CHECK_FALSE(rst.timed_out);
            CHECK_FALSE(rst.server_received);

            TcpResult icmp = tcp_connect(topo, Host::cli, srv, 5001, "x");
            INFO(describe(icmp));
            CHECK(icmp.unreachable);
            CHECK_FALSE(icmp.refused);
            CHECK_FALSE(icmp.connected);
            CHECK(icmp.icmp_type == (v4 ? 3 : 1));  // destination unreachable
            CHECK(icmp.icmp_code == (v4 ? 3 : 1));  // port unreachable / administratively prohibited
            CHECK(icmp.icmp_from == Topology::fw_addr(Host::cli, f));

            TcpResult other = tcp_connect(topo, Host::cli, srv, 5002, "other port");
            INFO(describe(other));
            CHECK(other.connected);
            CHECK(other.received == "other port");

            PingResult p = ping(topo, Host::cli, srv);
            INFO(describe(p));
            CHECK(p.unreachable);
            CHECK_FALSE(p.replied);
            CHECK(p.icmp_type == (v4 ? 3 : 1));
            CHECK(p.icmp_code == (v4 ? 10 : 1));  // host prohibited / administratively prohibited
        }
    }
}

TEST_CASE("e2e harness: DROP makes connections time out", "[e2e][harness]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    for (Family f : kFamilies) {
        load(topo, f, filter_table("ACCEPT", {"-A FORWARD -p tcp --dport 5000 -j DROP",
                                              "-A FORWARD -p udp --dport 5000 -j DROP"}));
    }
    const std::string srv4 = Topology::addr(Host::srv, Family::ipv4);
    const std::string srv6 = Topology::addr(Host::srv, Family::ipv6);
    // The flows that must time out run side by side, so the test waits for one timeout only.
    auto tcp4 = std::async(std::launch::async, [&] { return tcp_connect(topo, Host::cli, srv4, 5000, "x", quick(kShort)); });
    auto tcp6 = std::async(std::launch::async, [&] { return tcp_connect(topo, Host::cli, srv6, 5000, "x", quick(kShort)); });
    auto udp4 = std::async(std::launch::async, [&] { return udp_send(topo, Host::cli, srv4, 5000, "x", quick(kShort)); });
    for (auto* fut : {&tcp4, &tcp6}) {
        TcpResult dropped = fut->get();
        INFO(describe(dropped));
        CHECK(dropped.error.empty());
        CHECK(dropped.timed_out);
        CHECK_FALSE(dropped.connected);
        CHECK_FALSE(dropped.refused);
        CHECK_FALSE(dropped.unreachable);
        CHECK_FALSE(dropped.server_received);
    }
    UdpResult udp = udp4.get();
    INFO(describe(udp));
    CHECK(udp.error.empty());
    CHECK(udp.timed_out);
    CHECK_FALSE(udp.server_received);
    CHECK_FALSE(udp.reply_received);

    // Control: other ports pass.
    for (Family f : kFamilies) {
        TcpResult passed = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 5001, "x");
        INFO(describe(passed));
        CHECK(passed.connected);
        CHECK(passed.server_received);
    }
    UdpResult udp_passed = udp_send(topo, Host::cli, srv4, 5001, "x");
    INFO(describe(udp_passed));
    CHECK(udp_passed.server_received);
    CHECK(udp_passed.reply_received);
}

TEST_CASE("e2e harness: NFQUEUE verdicts, bypass and a missing listener", "[e2e][harness][nfqueue]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    std::string why;
    if (!NfqListener::available(why)) {
        WARN("SKIPPED NFQUEUE test: " << why);
        return;
    }
    Topology topo;
    const std::string mangle =
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n"
        "-A FORWARD -p tcp --dport 7001 -j MARK --set-mark 0x7001\n"
        "COMMIT\n";
    // Only the first packet of a flow is queued; the rest is accepted as ESTABLISHED.
    const std::string filter =
        filter_table("ACCEPT", {"-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
                                "-A FORWARD -p tcp --dport 7001 -j NFQUEUE --queue-num 1",
                                "-A FORWARD -p tcp --dport 7002 -j NFQUEUE --queue-num 2 --queue-bypass",
                                "-A FORWARD -p tcp --dport 7003 -j NFQUEUE --queue-num 3"});
    for (Family f : kFamilies) load(topo, f, mangle + filter);
    const std::string cli4 = Topology::addr(Host::cli, Family::ipv4);
    const std::string srv4 = Topology::addr(Host::srv, Family::ipv4);

    for (Family f : kFamilies) {
        NfqListener q(topo, 1, 1, "accept");
        TcpResult r = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 7001, "queued");
        std::vector<NfqPacket> seen = q.finish();
        INFO("verdict accept over " << to_string(f) << ": " << describe(r) << q.log());
        CHECK(r.connected);
        CHECK(r.received == "queued");
        CHECK(q.completed());
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].queue == 1);
        CHECK(seen[0].family == to_string(f));
        CHECK(seen[0].proto == "tcp");
        CHECK(seen[0].syn);
        CHECK(seen[0].src == Topology::addr(Host::cli, f));
        CHECK(seen[0].dst == Topology::addr(Host::srv, f));
        CHECK(seen[0].sport != 0);
        CHECK(seen[0].dport == 7001);
        CHECK(seen[0].mark == 0x7001);
        CHECK(seen[0].verdict == "accept");
    }

    TcpResult bypass = tcp_connect(topo, Host::cli, srv4, 7002, "bypassed");
    INFO("no listener, --queue-bypass: " << describe(bypass));
    CHECK(bypass.connected);
    CHECK(bypass.received == "bypassed");

    // Verdict drop (queue 1) and no listener without bypass (queue 3), side by side.
    NfqListener q(topo, 1, 1, "drop");
    auto dropped = std::async(std::launch::async, [&] { return tcp_connect(topo, Host::cli, srv4, 7001, "x", quick(kShort)); });
    auto stuck = std::async(std::launch::async, [&] { return tcp_connect(topo, Host::cli, srv4, 7003, "x", quick(kShort)); });
    TcpResult d = dropped.get();
    TcpResult s = stuck.get();
    std::vector<NfqPacket> seen = q.finish();
    INFO("verdict drop: " << describe(d) << q.log());
    CHECK_FALSE(d.connected);
    CHECK(d.timed_out);
    CHECK_FALSE(d.server_received);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].syn);
    CHECK(seen[0].src == cli4);
    CHECK(seen[0].dport == 7001);
    CHECK(seen[0].verdict == "drop");
    INFO("no listener, no bypass: " << describe(s));
    CHECK(s.timed_out);
    CHECK_FALSE(s.connected);
    CHECK_FALSE(s.server_received);
}

TEST_CASE("e2e harness: NFLOG reaches the listener with its prefix", "[e2e][harness][nflog]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    std::string why;
    if (!NflogListener::available(why)) {
        WARN("SKIPPED NFLOG test: " << why);
        return;
    }
    Topology topo;
    for (Family f : kFamilies) {
        load(topo, f, filter_table("ACCEPT", {"-A FORWARD -p udp --dport 5353 -j NFLOG --nflog-group 5 "
                                              "--nflog-prefix \"e2e-test \"",
                                              "-A FORWARD -p tcp --dport 5354 -j NFLOG --nflog-group 6 "
                                              "--nflog-prefix \"e2e-tcp\""}));
    }
    for (Family f : kFamilies) {
        NflogListener log(topo, 5, 1);
        UdpResult r = udp_send(topo, Host::cli, Topology::addr(Host::srv, f), 5353, "logged");
        std::vector<NflogPacket> seen = log.finish();
        INFO(describe(r) << log.log());
        CHECK(r.server_received);
        CHECK(log.completed());
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].group == 5);
        CHECK(seen[0].prefix == "e2e-test ");
        CHECK(seen[0].family == to_string(f));
        CHECK(seen[0].proto == "udp");
        CHECK(seen[0].src == Topology::addr(Host::cli, f));
        CHECK(seen[0].dst == Topology::addr(Host::srv, f));
        CHECK(seen[0].dport == 5353);
        CHECK(seen[0].in == topo.fw_iface(Host::cli));
        CHECK(seen[0].out == topo.fw_iface(Host::srv));
    }
    NflogListener log(topo, 6, 1);
    TcpResult r = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, Family::ipv6), 5354, "logged");
    std::vector<NflogPacket> seen = log.finish();
    INFO(describe(r) << log.log());
    CHECK(r.connected);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].prefix == "e2e-tcp");
    CHECK(seen[0].proto == "tcp");
    CHECK(seen[0].dport == 5354);
}

TEST_CASE("e2e harness: MASQUERADE hides the client behind the fw address and DNAT reaches the server", "[e2e][harness]") {
    E2E_SKIP_UNLESS_AVAILABLE();
    Topology topo;
    for (Family f : kFamilies) {
        const std::string to = f == Family::ipv4 ? Topology::addr(Host::srv, f) + ":80"
                                                 : "[" + Topology::addr(Host::srv, f) + "]:80";
        load(topo, f,
             "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
             "-A PREROUTING -i " + topo.fw_iface(Host::cli) + " -d " + Topology::fw_addr(Host::cli, f) +
                 " -p tcp --dport 8080 -j DNAT --to-destination " + to + "\n"
             "-A POSTROUTING -o " + topo.fw_iface(Host::srv) + " -j MASQUERADE\nCOMMIT\n");
    }
    for (Family f : kFamilies) {
        TcpResult tcp = tcp_connect(topo, Host::cli, Topology::addr(Host::srv, f), 80, "masq");
        INFO(describe(tcp));
        CHECK(tcp.connected);
        CHECK(tcp.reply_received);
        CHECK(tcp.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));

        UdpResult udp = udp_send(topo, Host::cli, Topology::addr(Host::srv, f), 53, "masq");
        INFO(describe(udp));
        CHECK(udp.reply_received);
        CHECK(udp.server_saw_peer_addr == Topology::fw_addr(Host::srv, f));

        // Control: towards in2 (another fw device) the client address is left alone.
        TcpResult plain = tcp_connect(topo, Host::cli, Topology::addr(Host::in2, f), 80, "plain");
        INFO(describe(plain));
        CHECK(plain.connected);
        CHECK(plain.server_saw_peer_addr == Topology::addr(Host::cli, f));

        // DNAT: the client talks to the fw's port 8080, the server listens on srv port 80.
        TrafficOptions o;
        o.server = Host::srv;
        o.listen_port = 80;
        TcpResult dnat = tcp_connect(topo, Host::cli, Topology::fw_addr(Host::cli, f), 8080, "forwarded", o);
        INFO(describe(dnat));
        CHECK(dnat.connected);
        CHECK(dnat.received == "forwarded");
        CHECK(dnat.reply_received);

        // Without a DNAT rule for the port, the fw itself has no listener and answers with a RST.
        o.start_server = false;
        TcpResult closed = tcp_connect(topo, Host::cli, Topology::fw_addr(Host::cli, f), 8081, "x", o);
        INFO(describe(closed));
        CHECK(closed.refused);
        CHECK_FALSE(closed.connected);
    }
}
