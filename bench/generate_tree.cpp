// SPDX-License-Identifier: GPL-2.0-or-later
//
// vuurmuur-bench-gen: writes a large, valid textdir config tree for the benchmarks.
//
//   vuurmuur-bench-gen --zones Z --networks N --hosts H --rules R [--groups G] [--seed S]
//                      [--quiet] OUTDIR
//
// The tree is a pure function of the arguments: the PRNG is std::mt19937_64 (whose output
// sequence the standard fixes) and every distribution is written out below, because the
// std:: distributions differ between standard libraries.
//
// Deliberately independent of vuurmuur-core: a generator that shared the loader's code
// would share its bugs. `vuurmuur-script --config-dir OUTDIR check` must report 0 errors.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------
// Randomness

class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    /// Uniform in [0, n) without modulo bias (rejection sampling); n > 0.
    std::uint64_t below(std::uint64_t n) {
        const std::uint64_t threshold = (std::uint64_t{0} - n) % n;  // 2^64 mod n
        for (;;) {
            std::uint64_t x = engine_();
            if (x >= threshold) return x % n;
        }
    }
    std::size_t index(std::size_t n) { return static_cast<std::size_t>(below(n)); }
    /// True with probability percent/100.
    bool percent(unsigned p) { return below(100) < p; }
    /// Picks an index by integer weights.
    std::size_t weighted(const std::vector<unsigned>& weights) {
        std::uint64_t total = 0;
        for (unsigned w : weights) total += w;
        std::uint64_t r = below(total);
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (r < weights[i]) return i;
            r -= weights[i];
        }
        return weights.size() - 1;
    }

private:
    std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------------------
// Output

[[noreturn]] void die(const std::string& message) {
    std::cerr << "vuurmuur-bench-gen: error: " << message << "\n";
    std::exit(2);
}

std::string errno_text() { return std::strerror(errno); }

class Writer {
public:
    explicit Writer(std::string root) : root_(std::move(root)) {}

    void dir(const std::string& rel) {
        std::string path = root_ + "/" + rel;
        if (::mkdir(path.c_str(), 0700) != 0) die("cannot create " + path + ": " + errno_text());
        if (::chmod(path.c_str(), 0700) != 0) die("cannot chmod " + path + ": " + errno_text());
    }

    void file(const std::string& rel, const std::string& content) {
        std::string path = root_ + "/" + rel;
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) die("cannot create " + path + ": " + errno_text());
        if (::fchmod(fd, 0600) != 0) die("cannot chmod " + path + ": " + errno_text());
        std::size_t done = 0;
        while (done < content.size()) {
            ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) die("cannot write " + path + ": " + errno_text());
            done += static_cast<std::size_t>(n);
        }
        if (::close(fd) != 0) die("cannot close " + path + ": " + errno_text());
        ++files_;
        bytes_ += content.size();
    }

    std::size_t files() const { return files_; }
    std::size_t bytes() const { return bytes_; }

private:
    std::string root_;
    std::size_t files_ = 0;
    std::size_t bytes_ = 0;
};

/// KEY="value"\n
std::string kv(std::string_view key, std::string_view value) {
    std::string out(key);
    out += "=\"";
    out += value;
    out += "\"\n";
    return out;
}

/// printf-style "prefix-000123" names: [a-zA-Z0-9_-], well under 32 characters.
std::string numbered(const char* prefix, std::size_t n, int width) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s-%0*zu", prefix, width, n);
    return buf;
}

std::string ipv4_text(std::uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xFFu) + "." +
           std::to_string((ip >> 8) & 0xFFu) + "." + std::to_string(ip & 0xFFu);
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
}

// ---------------------------------------------------------------------------------------
// The object model of the generated tree

struct ServiceDef {
    const char* name;
    std::vector<std::pair<const char*, const char*>> keys;  ///< port keys in template order
    const char* helper;
    bool broadcast;
    const char* comment;
    bool tcp_only;  ///< rejecttype tcp-reset makes sense
    std::uint16_t port;  ///< main destination port (for remoteport); 0: none
};

const std::vector<ServiceDef>& services() {
    static const std::vector<ServiceDef> defs = {
        {"http", {{"TCP", "80*1024:65535"}}, "", false, "HyperText Transfer Protocol", true, 80},
        {"https", {{"TCP", "443*1024:65535"}}, "", false, "HTTP over TLS", true, 443},
        {"http-alt", {{"TCP", "8080:8081*1024:65535"}}, "", false, "HTTP on 8080-8081", true, 8080},
        {"ssh", {{"TCP", "22*1024:65535"}}, "", false, "Secure Shell", true, 22},
        {"dns", {{"TCP", "53*0:65535"}, {"UDP", "53*0:65535"}}, "", false, "Domain Name System", false, 53},
        {"smtp", {{"TCP", "25*1024:65535"}}, "", false, "Simple Mail Transfer Protocol", true, 25},
        {"submission", {{"TCP", "587*1024:65535"}}, "", false, "Mail submission", true, 587},
        {"imaps", {{"TCP", "993*1024:65535"}}, "", false, "IMAP over TLS", true, 993},
        {"pop3s", {{"TCP", "995*1024:65535"}}, "", false, "POP3 over TLS", true, 995},
        {"ntp", {{"UDP", "123*0:65535"}}, "", false, "Network Time Protocol", false, 123},
        {"ping", {{"ICMP", "8:0*"}}, "", false, "ICMP echo request", false, 0},
        {"snmp", {{"UDP", "161*0:65535"}}, "", false, "Simple Network Management Protocol", false, 161},
        {"syslog", {{"UDP", "514*0:65535"}}, "", false, "Remote syslog", false, 514},
        {"ftp", {{"TCP", "21*1024:65535"}}, "ftp", false, "File Transfer Protocol", true, 21},
        {"tftp", {{"UDP", "69*0:65535"}}, "tftp", false, "Trivial File Transfer Protocol", false, 69},
        {"mysql", {{"TCP", "3306*1024:65535"}}, "", false, "MySQL", true, 3306},
        {"postgresql", {{"TCP", "5432*1024:65535"}}, "", false, "PostgreSQL", true, 5432},
        {"rdp", {{"TCP", "3389*1024:65535"}}, "", false, "Remote Desktop Protocol", true, 3389},
        {"ldap", {{"TCP", "389*1024:65535"}, {"UDP", "389*1024:65535"}}, "", false, "LDAP", false, 389},
        {"openvpn", {{"UDP", "1194*0:65535"}}, "", false, "OpenVPN", false, 1194},
        {"ipsec-nat-t", {{"UDP", "500*0:65535,4500*0:65535"}}, "", false, "IPsec IKE and NAT-T", false, 500},
        {"wireguard", {{"RANGE", "17;51820*0:65535"}}, "", false, "WireGuard (RANGE form)", false, 51820},
        {"netbios", {{"UDP", "137:138*0:65535"}}, "", true, "NetBIOS name and datagram (broadcast)", false, 137},
        {"traceroute", {{"UDP", "33434:33523*0:65535"}}, "", false, "UDP traceroute", false, 0},
    };
    return defs;
}

struct NetworkDef {
    std::string name;
    std::size_t zone = 0;
    std::uint32_t base = 0;         ///< IPv4 network address
    std::size_t first_host = 0;     ///< index into hosts
    std::size_t host_count = 0;
};

struct HostDef {
    std::string name;
    std::size_t network = 0;
};

struct GroupDef {
    std::string name;
    std::size_t network = 0;
};

struct Options {
    std::size_t zones = 0;
    std::size_t networks = 0;
    std::size_t hosts = 0;
    std::size_t rules = 0;
    long long groups = -1;  ///< -1: three per network that has hosts
    std::uint64_t seed = 1;
    unsigned any_percent = 2;  ///< weight of `any` among rule endpoints
    bool quiet = false;
    std::string outdir;
};

class Generator {
public:
    explicit Generator(const Options& o) : o_(o), rng_(o.seed), out_(o.outdir) {}

    void run() {
        layout();
        write_config();
        write_services();
        write_interfaces();
        write_zones();
        write_rules();
        write_blocklist();
        if (!o_.quiet) {
            std::cout << "wrote " << o_.outdir << ": zones=" << o_.zones
                      << " networks=" << networks_.size() << " hosts=" << hosts_.size()
                      << " groups=" << groups_.size() << " interfaces=" << o_.zones
                      << " services=" << services().size() << " rules=" << o_.rules
                      << " separators=" << separators_ << " blocklist=" << blocklist_
                      << " files=" << out_.files() << " bytes=" << out_.bytes() << "\n";
        }
    }

private:
    // --- Layout: names and addresses, decided before anything is written -------------

    std::string zone_name(std::size_t z) const { return numbered("zone", z, 3); }
    std::string iface_name(std::size_t z) const { return numbered("nic", z, 3); }
    std::string network_full(std::size_t n) const {
        return networks_[n].name + "." + zone_name(networks_[n].zone);
    }
    std::string host_full(std::size_t h) const {
        return hosts_[h].name + "." + network_full(hosts_[h].network);
    }
    std::string group_full(std::size_t g) const {
        return groups_[g].name + "." + network_full(groups_[g].network);
    }
    /// fd00:<hi>:<lo>::/64 for network n.
    std::string ipv6_prefix(std::size_t n) const {
        return "fd00:" + hex(n >> 16) + ":" + hex(n & 0xFFFFu) + "::";
    }
    std::string ipv6_address(std::size_t n, std::uint64_t interface_id) const {
        return ipv6_prefix(n) + hex(interface_id);
    }

    void layout() {
        const std::size_t Z = o_.zones, N = o_.networks, H = o_.hosts;
        // Networks spread evenly over zones, hosts evenly over networks.
        std::size_t max_hosts = H / N + (H % N != 0 ? 1 : 0);
        // Every network gets the same power-of-two block, at least a /24; the first address
        // is the network, .1 the gateway (the zone's interface), the last the broadcast.
        std::uint64_t block = 256;
        while (block < max_hosts + 3) block *= 2;
        if (block * N > (1ull << 24)) {
            die("the networks do not fit in 10.0.0.0/8 (" + std::to_string(N) + " networks of " +
                std::to_string(block) + " addresses)");
        }
        prefix_ = 32;
        for (std::uint64_t b = block; b > 1; b /= 2) --prefix_;
        std::uint32_t mask = prefix_ == 0 ? 0u : ~0u << (32 - prefix_);
        netmask_ = ipv4_text(mask);

        zone_networks_.assign(Z, {});
        std::size_t n = 0;
        for (std::size_t z = 0; z < Z; ++z) {
            std::size_t count = N / Z + (z < N % Z ? 1 : 0);
            for (std::size_t i = 0; i < count; ++i, ++n) {
                NetworkDef net;
                net.name = numbered("net", n, 4);
                net.zone = z;
                net.base = (10u << 24) + static_cast<std::uint32_t>(n * block);
                net.host_count = H / N + (n < H % N ? 1 : 0);
                zone_networks_[z].push_back(n);
                networks_.push_back(net);
            }
        }
        for (std::size_t i = 0; i < networks_.size(); ++i) {
            networks_[i].first_host = hosts_.size();
            for (std::size_t k = 0; k < networks_[i].host_count; ++k) {
                hosts_.push_back({numbered("host", hosts_.size(), 5), i});
            }
        }
        // Groups: evenly over the networks that have hosts.
        std::vector<std::size_t> with_hosts;
        for (std::size_t i = 0; i < networks_.size(); ++i) {
            if (networks_[i].host_count > 0) with_hosts.push_back(i);
        }
        std::size_t G = o_.groups < 0 ? 3 * with_hosts.size() : static_cast<std::size_t>(o_.groups);
        if (G > 0 && with_hosts.empty()) die("groups need at least one host");
        network_groups_.assign(networks_.size(), {});
        for (std::size_t g = 0; g < G; ++g) {
            std::size_t net = with_hosts[g % with_hosts.size()];
            groups_.push_back({numbered("grp", g, 4), net});
            network_groups_[net].push_back(g);
        }
    }

    // --- Files ---------------------------------------------------------------------------

    void write_config() {
        std::string s;
        s += "# Generated by vuurmuur-bench-gen (seed " + std::to_string(o_.seed) + ").\n";
        for (auto [k, v] : std::initializer_list<std::pair<const char*, const char*>>{
                 {"SERVICES_BACKEND", "textdir"}, {"ZONES_BACKEND", "textdir"},
                 {"INTERFACES_BACKEND", "textdir"}, {"RULES_BACKEND", "textdir"},
                 {"SYSCTL", "/sbin/sysctl"}, {"IPTABLES", "/usr/sbin/iptables"},
                 {"IPTABLES_RESTORE", "/usr/sbin/iptables-restore"},
                 {"IP6TABLES", "/usr/sbin/ip6tables"},
                 {"IP6TABLES_RESTORE", "/usr/sbin/ip6tables-restore"}, {"TC", "/usr/sbin/tc"},
                 {"MODPROBE", "/usr/sbin/modprobe"}, {"LOAD_MODULES", "Yes"},
                 {"MODULES_WAIT_TIME", "0"}, {"MAX_PERMISSION", "700"},
                 {"LOGDIR", "/var/log/vuurmuur"}, {"NFGRP", "8"}, {"LOG_POLICY", "Yes"},
                 {"LOG_POLICY_LIMIT", "30"}, {"LOG_BLOCKLIST", "Yes"}, {"LOG_INVALID", "Yes"},
                 {"LOG_NO_SYN", "Yes"}, {"LOG_PROBES", "Yes"}, {"LOG_FRAG", "Yes"},
                 {"DYN_INT_CHECK", "No"}, {"DYN_INT_INTERVAL", "30"}, {"DROP_INVALID", "Yes"},
                 {"CONNTRACK_ACCOUNTING", "Yes"}, {"USE_SYN_LIMIT", "Yes"}, {"SYN_LIMIT", "10"},
                 {"SYN_LIMIT_BURST", "20"}, {"USE_UDP_LIMIT", "Yes"}, {"UDP_LIMIT", "15"},
                 {"UDP_LIMIT_BURST", "45"}, {"PROTECT_SYNCOOKIE", "Yes"},
                 {"PROTECT_ECHOBROADCAST", "Yes"}}) {
            s += kv(k, v);
        }
        out_.file("config.conf", s);
    }

    void write_services() {
        out_.dir("services");
        for (const auto& def : services()) {
            std::string s = kv("ACTIVE", "Yes");
            for (const auto& [key, value] : def.keys) s += kv(key, value);
            s += kv("BROADCAST", def.broadcast ? "Yes" : "No");
            s += kv("HELPER", def.helper);
            s += kv("COMMENT", def.comment);
            out_.file(std::string("services/") + def.name, s);
        }
    }

    void write_interfaces() {
        out_.dir("interfaces");
        for (std::size_t z = 0; z < o_.zones; ++z) {
            std::string s = kv("ACTIVE", "Yes");
            s += kv("DEVICE", "eth" + std::to_string(z));
            const auto& nets = zone_networks_[z];
            if (nets.empty()) {
                s += kv("IPADDRESS", "dynamic");
            } else {
                s += kv("IPADDRESS", ipv4_text(networks_[nets.front()].base + 1));
                s += kv("IPV6ADDRESS", ipv6_address(nets.front(), 1));
            }
            s += kv("VIRTUAL", "No");
            s += kv("SHAPE", "No");
            s += kv("TCPMSS", z == 0 ? "Yes" : "No");
            for (const char* p : {"source-routed-packets", "icmp-redirect", "send-redirect",
                                  "rp-filter", "log-martians"}) {
                s += kv("RULE", std::string("protect against ") + p);
            }
            s += kv("COMMENT", "Interface of " + zone_name(z));
            out_.file("interfaces/" + iface_name(z) + ".conf", s);
        }
    }

    void write_zones() {
        out_.dir("zones");
        for (std::size_t z = 0; z < o_.zones; ++z) {
            std::string zdir = "zones/" + zone_name(z);
            out_.dir(zdir);
            out_.file(zdir + "/zone.config",
                      kv("ACTIVE", "Yes") + kv("COMMENT", "Generated zone " + std::to_string(z)));
            out_.dir(zdir + "/networks");
            for (std::size_t n : zone_networks_[z]) write_network(zdir, n);
        }
    }

    void write_network(const std::string& zdir, std::size_t n) {
        const NetworkDef& net = networks_[n];
        std::string ndir = zdir + "/networks/" + net.name;
        out_.dir(ndir);
        std::string s = kv("ACTIVE", "Yes");
        s += kv("NETWORK", ipv4_text(net.base));
        s += kv("NETMASK", netmask_);
        s += kv("IPV6NETWORK", ipv6_prefix(n));
        s += kv("IPV6CIDR", "64");
        s += kv("INTERFACE", iface_name(net.zone));
        if (n % 10 == 0) s += kv("RULE", "protect against spoofing from test-net");
        if (n % 10 == 0) s += kv("RULE", "protect against spoofing from class-d");
        if (zone_networks_[net.zone].front() == n) s += kv("RULE", "accept dhcp-server");
        s += kv("COMMENT", "Generated network " + std::to_string(n));
        out_.file(ndir + "/network.config", s);

        out_.dir(ndir + "/hosts");
        for (std::size_t k = 0; k < net.host_count; ++k) {
            std::size_t h = net.first_host + k;
            std::string hs = kv("ACTIVE", "Yes");
            hs += kv("IPADDRESS", ipv4_text(net.base + 2 + static_cast<std::uint32_t>(k)));
            hs += kv("IPV6ADDRESS", ipv6_address(n, 2 + k));
            if (h % 4 == 0) {
                char mac[24];
                std::snprintf(mac, sizeof mac, "02:00:%02zx:%02zx:%02zx:%02zx", (h >> 24) & 0xFF,
                              (h >> 16) & 0xFF, (h >> 8) & 0xFF, h & 0xFF);
                hs += kv("MAC", mac);
            } else {
                hs += kv("MAC", "");
            }
            hs += kv("COMMENT", "Generated host " + std::to_string(h));
            out_.file(ndir + "/hosts/" + hosts_[h].name + ".host", hs);
        }

        out_.dir(ndir + "/groups");
        for (std::size_t g : network_groups_[n]) {
            // 1..8 distinct members of this network (partial Fisher-Yates).
            std::size_t count = 1 + rng_.index(std::min<std::size_t>(8, net.host_count));
            std::vector<std::size_t> pool(net.host_count);
            for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = net.first_host + i;
            for (std::size_t i = 0; i < count; ++i) {
                std::swap(pool[i], pool[i + rng_.index(pool.size() - i)]);
            }
            std::sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(count));
            std::string gs = kv("ACTIVE", "Yes");
            for (std::size_t i = 0; i < count; ++i) gs += kv("MEMBER", hosts_[pool[i]].name);
            gs += kv("COMMENT", "Generated group " + std::to_string(g));
            out_.file(ndir + "/groups/" + groups_[g].name + ".group", gs);
        }
    }

    // --- Rules ---------------------------------------------------------------------------

    enum class Obj { Host, Group, Network, Zone, Firewall, Any };

    /// A rule endpoint: its text and, for zone-bound objects, the zone (for in_int/out_int).
    struct Endpoint {
        Obj kind = Obj::Any;
        std::string text;
        std::size_t zone = 0;
    };

    Endpoint make(Obj kind) {
        Endpoint e;
        if (kind == Obj::Group && groups_.empty()) kind = Obj::Host;
        if (kind == Obj::Host && hosts_.empty()) kind = Obj::Network;
        e.kind = kind;
        switch (kind) {
            case Obj::Host: {
                std::size_t h = rng_.index(hosts_.size());
                e.text = host_full(h);
                e.zone = networks_[hosts_[h].network].zone;
                break;
            }
            case Obj::Group: {
                std::size_t g = rng_.index(groups_.size());
                e.text = group_full(g);
                e.zone = networks_[groups_[g].network].zone;
                break;
            }
            case Obj::Network: {
                std::size_t n = rng_.index(networks_.size());
                e.text = network_full(n);
                e.zone = networks_[n].zone;
                break;
            }
            case Obj::Zone:
                e.zone = rng_.index(o_.zones);
                e.text = zone_name(e.zone);
                break;
            case Obj::Firewall: e.text = "firewall"; break;
            case Obj::Any: e.text = "any"; break;
        }
        return e;
    }

    /// host, group, network, zone, firewall, any
    Endpoint pick(const std::vector<unsigned>& weights) {
        return make(static_cast<Obj>(rng_.weighted(weights)));
    }

    static bool zoned(const Endpoint& e) {
        return e.kind != Obj::Firewall && e.kind != Obj::Any;
    }

    std::size_t pick_service() { return rng_.index(services().size()); }
    /// A TCP/UDP service with a main port (NAT to a port makes no sense for ICMP).
    std::size_t pick_port_service() {
        for (;;) {
            std::size_t svc = pick_service();
            if (services()[svc].port != 0) return svc;
        }
    }

    void write_rules() {
        out_.dir("rules");
        // `any` on 2% of rule sides, as in typical trees (admins name networks and zones);
        // --any-percent raises it to stress the dispatch fallback.
        const unsigned any_w = o_.any_percent;
        const std::vector<unsigned> kAny = {35, 10, 25, 8, 10, any_w};
        const std::vector<unsigned> kNoFirewall = {35, 10, 25, 8, 0, any_w};
        const std::vector<unsigned> kInside = {30, 15, 40, 15, 0, 0};
        const std::vector<unsigned> kNetOrZone = {0, 0, 75, 25, 0, 0};
        const std::vector<unsigned> kOutsideSrc = {10, 5, 45, 15, 0, any_w};
        const std::vector<unsigned> kRedirectDst = {0, 0, 40, 20, 0, 40};

        enum Act { Accept, Drop, Reject, Log, Masq, Snat, Portfw, Dnat, Redirect, Nfqueue, Nflog };
        const char* kActionNames[] = {"accept", "drop",   "reject",   "log",     "masq",  "snat",
                                      "portfw", "dnat",   "redirect", "nfqueue", "nflog"};
        const std::vector<unsigned> kActionWeights = {640, 80, 50, 40, 30, 30, 50, 20, 15, 30, 15};
        const char* kRejectTypes[] = {"icmp-net-unreachable",  "icmp-host-unreachable",
                                      "icmp-proto-unreachable", "icmp-port-unreachable",
                                      "icmp-net-prohibited",    "icmp-host-prohibited"};

        std::string s = "# Generated by vuurmuur-bench-gen.\n";
        for (std::size_t i = 0; i < o_.rules; ++i) {
            if (i % 50 == 0) {
                ++separators_;
                if (i % 500 == 250) {
                    s += kv("RULE", "separator");
                } else {
                    s += kv("RULE", "separator options comment=\\\"Section " +
                                        std::to_string(i / 50) + "\\\"");
                }
            }
            const Act act = static_cast<Act>(rng_.weighted(kActionWeights));
            const bool inactive = rng_.percent(2);
            std::size_t svc = pick_service();
            std::string service = services()[svc].name;
            Endpoint from, to;
            std::vector<std::string> opts;
            auto opt = [&](const std::string& name, const std::string& value) {
                opts.push_back(name + "=\\\"" + value + "\\\"");
            };

            switch (act) {
                case Accept:
                case Drop:
                case Reject:
                case Log:
                case Nfqueue:
                case Nflog:
                    from = pick(kAny);
                    to = pick(from.kind == Obj::Firewall ? kNoFirewall : kAny);
                    if (act != Accept && rng_.percent(25)) service = "any";
                    if (act == Accept && services()[svc].broadcast && rng_.percent(50)) {
                        std::size_t n = rng_.index(networks_.size());
                        to.kind = Obj::Network;
                        to.text = network_full(n) + "(broadcast)";
                        to.zone = networks_[n].zone;
                    }
                    break;
                case Masq:
                case Snat:
                    from = pick(kInside);
                    to = pick(kNetOrZone);
                    if (rng_.percent(70)) service = "any";
                    break;
                case Portfw:
                case Dnat:
                    svc = pick_port_service();
                    service = services()[svc].name;
                    from = pick(kOutsideSrc);
                    to = make(Obj::Host);
                    break;
                case Redirect:
                    svc = pick_port_service();
                    service = services()[svc].name;
                    from = pick(kInside);
                    to = pick(kRedirectDst);
                    break;
            }

            // Action options first, in the library's serialisation order.
            if (act == Nfqueue) {
                if (rng_.percent(10)) opt("nfqueuenum", "4:7");  // a balanced range on its own first queue
                else opt("nfqueuenum", std::to_string(rng_.below(4)));
            }
            if (act == Nflog) opt("nflognum", std::to_string(20 + rng_.below(4)));
            if (zoned(from) && rng_.percent(3)) {
                opts.insert(opts.begin(), "in_int=\\\"" + iface_name(from.zone) + "\\\"");
            }
            const bool log = act != Log && rng_.percent(10);
            if (log) opts.emplace_back("log");
            if (log || act == Log) {
                if (rng_.percent(30)) opt("loglimit", std::to_string(1 + rng_.below(10)));
                if (rng_.percent(50)) opt("logprefix", "r" + std::to_string(i));
            }
            if (act == Portfw || act == Dnat) {
                std::uint16_t port = services()[svc].port;
                if (port != 0 && rng_.percent(40)) {
                    opt("listenport", std::to_string(10000 + rng_.below(50000)));
                    opt("remoteport", std::to_string(port));
                }
            }
            if (act == Reject && rng_.percent(60)) {
                if (services()[svc].tcp_only && service != "any" && rng_.percent(40)) {
                    opt("rejecttype", "tcp-reset");
                } else {
                    opt("rejecttype", kRejectTypes[rng_.index(std::size(kRejectTypes))]);
                }
            }
            if (act == Redirect) opt("redirectport", std::to_string(3128 + rng_.below(4)));
            if (rng_.percent(2)) opt("nfmark", std::to_string(1 + rng_.below(16)));
            if (rng_.percent(5)) {
                opt("limit", std::to_string(1 + rng_.below(50)) + (rng_.percent(50) ? "/sec" : "/min"));
                if (rng_.percent(50)) opt("burst", std::to_string(5 + rng_.below(50)));
            }
            const bool nat = act == Masq || act == Snat || act == Portfw || act == Dnat ||
                             act == Redirect;
            if (nat && rng_.percent(10)) opts.emplace_back("random");
            if (rng_.percent(15)) opt("comment", "generated rule " + std::to_string(i));

            std::string text = inactive ? ";" : "";
            text += kActionNames[act];
            text += " service " + service + " from " + from.text + " to " + to.text;
            if (!opts.empty()) {
                text += " options ";
                for (std::size_t k = 0; k < opts.size(); ++k) {
                    if (k != 0) text += ',';
                    text += opts[k];
                }
            }
            s += kv("RULE", text);
        }
        out_.file("rules/rules.conf", s);
    }

    void write_blocklist() {
        std::string s = "# Generated by vuurmuur-bench-gen.\n";
        for (unsigned k = 1; k <= 5; ++k) s += kv("RULE", "block 192.0.2." + std::to_string(k * 7));
        s += kv("RULE", ";block 198.51.100.23");
        blocklist_ = 6;
        if (!hosts_.empty()) {
            s += kv("RULE", "block " + host_full(rng_.index(hosts_.size())));
            ++blocklist_;
        }
        if (!groups_.empty()) {
            s += kv("RULE", "block " + group_full(rng_.index(groups_.size())));
            ++blocklist_;
        }
        out_.file("rules/blocklist.conf", s);
    }

    const Options& o_;
    Rng rng_;
    Writer out_;
    int prefix_ = 24;
    std::string netmask_;
    std::vector<NetworkDef> networks_;
    std::vector<std::vector<std::size_t>> zone_networks_;
    std::vector<HostDef> hosts_;
    std::vector<GroupDef> groups_;
    std::vector<std::vector<std::size_t>> network_groups_;
    std::size_t separators_ = 0;
    std::size_t blocklist_ = 0;
};

// ---------------------------------------------------------------------------------------
// Command line

const char* const kUsage =
    "Usage: vuurmuur-bench-gen --zones Z --networks N --hosts H --rules R\n"
    "                          [--groups G] [--seed S] [--any-percent P] [--quiet] OUTDIR\n"
    "\n"
    "Writes a valid Vuurmuur textdir config tree to OUTDIR (which must not exist or be empty).\n"
    "  --zones Z      zones, one interface each (>= 1)\n"
    "  --networks N   networks, spread evenly over the zones (>= Z); each gets its own\n"
    "                 10.x IPv4 block (/24 or larger) and fd00:x:y::/64 prefix\n"
    "  --hosts H      hosts, spread evenly over the networks (>= 1)\n"
    "  --rules R      rules in rules/rules.conf (a separator is added before every 50th)\n"
    "  --groups G     groups in total (default: 3 per network that has hosts)\n"
    "  --seed S       PRNG seed (default 1); the same arguments give the same tree\n"
    "  --any-percent P  weight of `any` among rule endpoints (default 2)\n"
    "  --quiet        print nothing on success\n";

std::uint64_t parse_number(const std::string& flag, const char* text, std::uint64_t max) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v > max) {
        die(flag + " needs a number from 0 to " + std::to_string(max) + ", not '" + text + "'");
    }
    return v;
}

Options parse_args(int argc, char** argv) {
    Options o;
    bool have_zones = false, have_networks = false, have_hosts = false, have_rules = false;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) die(arg + " needs a value");
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::cout << kUsage;
            std::exit(0);
        } else if (arg == "--zones") {
            o.zones = parse_number(arg, value(), 10000);
            have_zones = true;
        } else if (arg == "--networks") {
            o.networks = parse_number(arg, value(), 65536);
            have_networks = true;
        } else if (arg == "--hosts") {
            o.hosts = parse_number(arg, value(), 5000000);
            have_hosts = true;
        } else if (arg == "--rules") {
            o.rules = parse_number(arg, value(), 5000000);
            have_rules = true;
        } else if (arg == "--groups") {
            o.groups = static_cast<long long>(parse_number(arg, value(), 1000000));
        } else if (arg == "--seed") {
            o.seed = parse_number(arg, value(), UINT64_MAX);
        } else if (arg == "--any-percent") {
            o.any_percent = static_cast<unsigned>(parse_number(arg, value(), 100));
        } else if (arg == "--quiet") {
            o.quiet = true;
        } else if (!arg.empty() && arg[0] == '-') {
            die("unknown option " + arg + "\n" + kUsage);
        } else if (o.outdir.empty()) {
            o.outdir = arg;
        } else {
            die("only one OUTDIR");
        }
    }
    if (!have_zones || !have_networks || !have_hosts || !have_rules || o.outdir.empty()) {
        die(std::string("--zones, --networks, --hosts, --rules and OUTDIR are required\n") + kUsage);
    }
    if (o.zones < 1) die("--zones must be at least 1");
    if (o.networks < o.zones) die("--networks must be at least --zones (every zone gets a network)");
    if (o.hosts < 1) die("--hosts must be at least 1 (portfw rules need a host)");
    return o;
}

/// OUTDIR must be new or an empty directory; a new one is created with mode 0700.
void prepare_outdir(const std::string& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) die("cannot stat " + dir + ": " + errno_text());
        if (::mkdir(dir.c_str(), 0700) != 0) die("cannot create " + dir + ": " + errno_text());
        if (::chmod(dir.c_str(), 0700) != 0) die("cannot chmod " + dir + ": " + errno_text());
        return;
    }
    if (!S_ISDIR(st.st_mode)) die(dir + " exists and is not a directory");
    std::string probe = dir + "/config.conf";
    std::string zones = dir + "/zones";
    struct stat dummy {};
    if (::lstat(probe.c_str(), &dummy) == 0 || ::lstat(zones.c_str(), &dummy) == 0) {
        die(dir + " already holds a config tree; give a new or empty directory");
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse_args(argc, argv);
    prepare_outdir(o.outdir);
    Generator(o).run();
    return 0;
}
