// SPDX-License-Identifier: GPL-2.0-or-later
#include "e2e/traffic.h"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace vuurmuur::test::e2e {

namespace {

constexpr const char* kPeer = "vuurmuur-e2e-peer";
const Millis kStartTimeout{10000};  // helper start-up (exec + bind), only reached when broken

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

std::string unhex(const std::string& h) {
    auto val = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return 0;
    };
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) out += static_cast<char>(val(h[i]) * 16 + val(h[i + 1]));
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

/// Fields of the first line that has `key`.
std::map<std::string, std::string> find_line(const std::string& text, const std::string& key) {
    for (const auto& line : lines_of(text)) {
        auto f = parse_fields(line);
        if (f.count(key)) return f;
    }
    return {};
}

int to_int(const std::map<std::string, std::string>& f, const std::string& key, int fallback = -1) {
    auto it = f.find(key);
    if (it == f.end() || it->second.empty()) return fallback;
    try {
        return std::stoi(it->second);
    } catch (...) {
        return fallback;
    }
}

std::uint32_t to_u32(const std::map<std::string, std::string>& f, const std::string& key) {
    auto it = f.find(key);
    if (it == f.end()) return 0;
    try {
        return static_cast<std::uint32_t>(std::stoul(it->second, nullptr, 0));
    } catch (...) {
        return 0;
    }
}

std::string get(const std::map<std::string, std::string>& f, const std::string& key) {
    auto it = f.find(key);
    return it == f.end() ? std::string() : it->second;
}

std::string ms(Millis m) { return std::to_string(m.count()); }

std::string seconds(Millis m) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(m.count()) / 1000.0);
    return buf;
}

std::string section(const std::string& title, const ProcessResult& r) {
    std::string s = "[" + title + " rc=" + std::to_string(r.exit_code) + "]\n" + r.out;
    if (!r.err.empty()) s += "[" + title + " stderr]\n" + r.err;
    return s;
}

/// A one-shot server of the peer helper, started and ready (or with `error` set).
struct Server {
    std::unique_ptr<Child> child;
    std::string error;
};

Server start_server(const Topology& topo, bool tcp, Host where, Family fam, std::uint16_t port,
                    Millis timeout, const std::string& reply) {
    Server s;
    s.child = std::make_unique<Child>(topo.ns_argv(where, {Topology::tool(kPeer), tcp ? "tcp-server" : "udp-server",
                                                           fam == Family::ipv4 ? "4" : "6", std::to_string(port),
                                                           ms(timeout), hex(reply)}));
    if (!s.child->wait_for_line("ready", kStartTimeout)) {
        ProcessResult r = s.child->stop();
        s.error = "server in " + topo.netns(where) + " did not become ready: " + r.out + r.err;
    }
    return s;
}

std::optional<Host> server_host(const std::string& addr, const TrafficOptions& opts, std::string& error) {
    if (opts.server) return opts.server;
    auto h = Topology::host_of(addr);
    if (!h) error = "no namespace owns " + addr + "; set TrafficOptions::server";
    return h;
}

}  // namespace

std::map<std::string, std::string> parse_fields(const std::string& line) {
    std::map<std::string, std::string> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ') ++i;
        std::size_t key_start = i;
        while (i < line.size() && line[i] != '=' && line[i] != ' ') ++i;
        std::string key = line.substr(key_start, i - key_start);
        std::string value;
        if (i < line.size() && line[i] == '=') {
            ++i;
            if (i < line.size() && line[i] == '"') {
                ++i;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\' && i + 1 < line.size()) {
                        ++i;
                        if (line[i] == 'x' && i + 2 < line.size()) {
                            value += unhex(line.substr(i + 1, 2));
                            i += 3;
                            continue;
                        }
                    }
                    value += line[i++];
                }
                ++i;  // closing quote
            } else {
                std::size_t v = i;
                while (i < line.size() && line[i] != ' ') ++i;
                value = line.substr(v, i - v);
            }
        }
        if (!key.empty()) fields[key] = value;
    }
    return fields;
}

TcpResult tcp_connect(const Topology& topo, Host from, const std::string& addr, std::uint16_t port,
                      const std::string& payload, const TrafficOptions& opts) {
    TcpResult r;
    const Millis server_timeout = opts.timeout * 2 + Millis{1000};
    Server server;
    if (opts.start_server) {
        auto where = server_host(addr, opts, r.error);
        if (!where) return r;
        server = start_server(topo, true, *where, family_of(addr), opts.listen_port.value_or(port), server_timeout,
                              opts.reply);
        if (!server.error.empty()) {
            r.error = server.error;
            return r;
        }
    }
    std::vector<std::string> argv{Topology::tool(kPeer), "tcp-client", addr, std::to_string(port), ms(opts.timeout),
                                  hex(payload)};
    if (!opts.source.empty()) argv.push_back(opts.source);
    ProcessResult client = run(topo.ns_argv(from, argv), {}, opts.timeout * 2 + Millis{5000});
    r.log = section("tcp-client " + topo.netns(from) + " -> " + addr + ":" + std::to_string(port), client);

    auto res = find_line(client.out, "result");
    const std::string what = get(res, "result");
    r.connected = what == "connected";
    r.refused = what == "refused";
    r.unreachable = what == "unreachable";
    r.timed_out = what == "timeout";
    r.icmp_type = to_int(res, "icmp_type");
    r.icmp_code = to_int(res, "icmp_code");
    r.icmp_from = get(res, "icmp_from");
    if (what.empty() || what == "error") {
        r.error = "tcp-client failed: " + client.out + client.err;
    }
    auto rep = find_line(client.out, "reply");
    if (!rep.empty()) {
        r.reply = unhex(get(rep, "reply"));
        r.reply_received = get(rep, "eof") == "1";
    }
    if (server.child) {
        // A connected client means the server accepted: let it finish its exchange. Otherwise
        // it never got a connection and would only wait for its timeout.
        ProcessResult s = r.connected ? server.child->finish(server_timeout + Millis{2000}) : server.child->stop();
        r.log += section("tcp-server", s);
        auto peer = find_line(s.out, "peer");
        r.server_saw_peer_addr = get(peer, "peer");
        r.server_saw_peer_port = static_cast<unsigned>(to_int(peer, "port", 0));
        auto data = find_line(s.out, "data");
        if (!data.empty()) {
            r.server_received = get(data, "eof") == "1";
            r.received = unhex(get(data, "data"));
        }
    }
    return r;
}

UdpResult udp_send(const Topology& topo, Host from, const std::string& addr, std::uint16_t port,
                   const std::string& payload, const TrafficOptions& opts) {
    UdpResult r;
    const Millis server_timeout = opts.timeout * 2 + Millis{1000};
    Server server;
    if (opts.start_server) {
        auto where = server_host(addr, opts, r.error);
        if (!where) return r;
        server = start_server(topo, false, *where, family_of(addr), opts.listen_port.value_or(port), server_timeout,
                              opts.reply);
        if (!server.error.empty()) {
            r.error = server.error;
            return r;
        }
    }
    std::vector<std::string> argv{Topology::tool(kPeer), "udp-client", addr, std::to_string(port), ms(opts.timeout),
                                  hex(payload)};
    if (!opts.source.empty()) argv.push_back(opts.source);
    ProcessResult client = run(topo.ns_argv(from, argv), {}, opts.timeout * 2 + Millis{5000});
    r.log = section("udp-client " + topo.netns(from) + " -> " + addr + ":" + std::to_string(port), client);
    auto res = find_line(client.out, "result");
    const std::string what = get(res, "result");
    r.reply_received = what == "reply";
    r.reply = unhex(get(res, "reply"));
    r.unreachable = what == "unreachable";
    r.timed_out = what == "timeout";
    r.icmp_type = to_int(res, "icmp_type");
    r.icmp_code = to_int(res, "icmp_code");
    r.icmp_from = get(res, "icmp_from");
    if (what.empty() || what == "error") r.error = "udp-client failed: " + client.out + client.err;
    if (server.child) {
        // The server exits right after answering; if the client saw no answer, the server had
        // the whole client timeout to print what it got, so stopping it now loses nothing.
        ProcessResult s = r.reply_received ? server.child->finish(server_timeout + Millis{2000}) : server.child->stop();
        r.log += section("udp-server", s);
        auto peer = find_line(s.out, "peer");
        r.server_saw_peer_addr = get(peer, "peer");
        r.server_saw_peer_port = static_cast<unsigned>(to_int(peer, "port", 0));
        auto data = find_line(s.out, "data");
        if (!data.empty()) {
            r.server_received = true;
            r.received = unhex(get(data, "data"));
        }
    }
    return r;
}

PingResult ping(const Topology& topo, Host from, const std::string& addr, Millis timeout) {
    PingResult r;
    ProcessResult p = run(topo.ns_argv(from, {Topology::tool(kPeer), "ping", addr, ms(timeout)}), {},
                          timeout + Millis{5000});
    r.log = section("ping " + topo.netns(from) + " -> " + addr, p);
    auto res = find_line(p.out, "result");
    const std::string what = get(res, "result");
    r.replied = what == "reply";
    r.unreachable = what == "unreachable";
    r.timed_out = what == "timeout";
    r.icmp_type = to_int(res, "icmp_type");
    r.icmp_code = to_int(res, "icmp_code");
    r.icmp_from = get(res, "icmp_from");
    if (what.empty() || what == "error") r.error = "ping failed: " + p.out + p.err;
    return r;
}

namespace {
std::string icmp_text(int type, int code, const std::string& from) {
    if (type < 0) return "";
    return " icmp_type=" + std::to_string(type) + " icmp_code=" + std::to_string(code) + " icmp_from=" + from;
}
}  // namespace

std::string describe(const TcpResult& r) {
    std::ostringstream s;
    s << "tcp: connected=" << r.connected << " refused=" << r.refused << " unreachable=" << r.unreachable
      << " timed_out=" << r.timed_out << icmp_text(r.icmp_type, r.icmp_code, r.icmp_from)
      << " server_received=" << r.server_received << " received='" << r.received << "' peer=" << r.server_saw_peer_addr
      << " reply_received=" << r.reply_received << " reply='" << r.reply << "'";
    if (!r.error.empty()) s << " error=" << r.error;
    s << "\n" << r.log;
    return s.str();
}

std::string describe(const UdpResult& r) {
    std::ostringstream s;
    s << "udp: server_received=" << r.server_received << " received='" << r.received
      << "' peer=" << r.server_saw_peer_addr << " reply_received=" << r.reply_received << " reply='" << r.reply
      << "' unreachable=" << r.unreachable << icmp_text(r.icmp_type, r.icmp_code, r.icmp_from)
      << " timed_out=" << r.timed_out;
    if (!r.error.empty()) s << " error=" << r.error;
    s << "\n" << r.log;
    return s.str();
}

std::string describe(const PingResult& r) {
    std::ostringstream s;
    s << "ping: replied=" << r.replied << " unreachable=" << r.unreachable
      << icmp_text(r.icmp_type, r.icmp_code, r.icmp_from) << " timed_out=" << r.timed_out;
    if (!r.error.empty()) s << " error=" << r.error;
    s << "\n" << r.log;
    return s.str();
}

// ---------------------------------------------------------------------------------------------

namespace {

bool tool_built(const std::string& name, std::string& why) {
    if (std::filesystem::exists(Topology::tool(name))) return true;
    why = Topology::tool(name) + " is not built (libnetfilter_queue/libnetfilter_log/libmnl development "
                                 "packages missing at configure time? see tools/install-deps)";
    return false;
}

std::unique_ptr<Child> start_listener(const Topology& topo, Host where, const std::vector<std::string>& argv,
                                      const std::string& what) {
    std::string why;
    if (!tool_built(argv[0].substr(argv[0].rfind('/') + 1), why)) throw std::runtime_error(why);
    auto child = std::make_unique<Child>(topo.ns_argv(where, argv));
    if (!child->wait_for_line("ready", kStartTimeout)) {
        ProcessResult r = child->stop();
        throw std::runtime_error(what + " in " + topo.netns(where) + " did not become ready (rc " +
                                 std::to_string(r.exit_code) + "): " + r.out + r.err);
    }
    return child;
}

}  // namespace

bool NfqListener::available(std::string& why) { return tool_built("vuurmuur-nfq-listener", why); }
bool NflogListener::available(std::string& why) { return tool_built("vuurmuur-nflog-listener", why); }

NfqListener::NfqListener(const Topology& topo, unsigned queue, unsigned count, const std::string& verdict,
                         Millis timeout, Host where)
    : child_(start_listener(topo, where,
                            {Topology::tool("vuurmuur-nfq-listener"), std::to_string(queue), std::to_string(count),
                             verdict, seconds(timeout)},
                            "vuurmuur-nfq-listener")) {}

std::vector<NfqPacket> NfqListener::finish(Millis max_wait) {
    ProcessResult r = child_->finish(max_wait);
    completed_ = r.exit_code == 0 && !child_->timed_out();
    std::vector<NfqPacket> packets;
    for (const auto& line : lines_of(r.out)) {
        auto f = parse_fields(line);
        if (!f.count("queue")) continue;
        NfqPacket p;
        p.queue = to_u32(f, "queue");
        p.id = to_u32(f, "id");
        p.family = get(f, "family");
        p.proto = get(f, "proto");
        p.src = get(f, "src");
        p.dst = get(f, "dst");
        p.sport = to_u32(f, "sport");
        p.dport = to_u32(f, "dport");
        p.mark = to_u32(f, "mark");
        p.syn = get(f, "syn") == "1";
        p.len = to_u32(f, "len");
        p.verdict = get(f, "verdict");
        packets.push_back(p);
    }
    return packets;
}

std::string NfqListener::log() const { return "[nfq-listener]\n" + child_->out() + child_->err(); }

NflogListener::NflogListener(const Topology& topo, unsigned group, unsigned count, Millis timeout, Host where)
    : child_(start_listener(topo, where,
                            {Topology::tool("vuurmuur-nflog-listener"), std::to_string(group), std::to_string(count),
                             seconds(timeout)},
                            "vuurmuur-nflog-listener")) {}

std::vector<NflogPacket> NflogListener::finish(Millis max_wait) {
    ProcessResult r = child_->finish(max_wait);
    completed_ = r.exit_code == 0 && !child_->timed_out();
    std::vector<NflogPacket> packets;
    for (const auto& line : lines_of(r.out)) {
        auto f = parse_fields(line);
        if (!f.count("group")) continue;
        NflogPacket p;
        p.group = to_u32(f, "group");
        p.prefix = get(f, "prefix");
        p.family = get(f, "family");
        p.src = get(f, "src");
        p.dst = get(f, "dst");
        p.proto = get(f, "proto");
        p.sport = to_u32(f, "sport");
        p.dport = to_u32(f, "dport");
        p.mark = to_u32(f, "mark");
        p.in = get(f, "in");
        p.out = get(f, "out");
        packets.push_back(p);
    }
    return packets;
}

std::string NflogListener::log() const { return "[nflog-listener]\n" + child_->out() + child_->err(); }

}  // namespace vuurmuur::test::e2e
