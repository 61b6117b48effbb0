// SPDX-License-Identifier: GPL-2.0-or-later
// vuurmuur-nfq-listener QUEUE COUNT VERDICT [TIMEOUT_S]
//
// Binds NFQUEUE number QUEUE in the current network namespace (libnetfilter_queue, mnl API),
// prints "ready" once the kernel acknowledged the bind and the copy mode, then one line per packet
//   queue=N id=I family=ipv4|ipv6 proto=tcp|udp|icmp|icmpv6|<n> src=A dst=A sport=P dport=P
//   mark=0x.. syn=0|1 len=L verdict=accept|drop
// and gives each packet VERDICT (accept|drop). Exits 0 after COUNT packets, 3 after TIMEOUT_S
// (default 10) seconds without having seen them, 1 on errors (EPERM: the queue is bound already).
// Conntrack info is not requested (the test kernel lacks CONFIG_NETFILTER_NETLINK_GLUE_CT).
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <poll.h>

#include <libnetfilter_queue/libnetfilter_queue.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "packet_fields.h"

namespace {

using vuurmuur::test::tools::parse_packet;
using Clock = std::chrono::steady_clock;
const std::size_t kBufSize = static_cast<std::size_t>(MNL_SOCKET_BUFFER_SIZE);

/// An open, bound netlink-netfilter socket; closed on scope exit.
class MnlSocket {
public:
    MnlSocket() : nl_(mnl_socket_open(NETLINK_NETFILTER)) {
        if (nl_ && mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
            mnl_socket_close(nl_);
            nl_ = nullptr;
        }
    }
    ~MnlSocket() {
        if (nl_) mnl_socket_close(nl_);
    }
    MnlSocket(const MnlSocket&) = delete;
    MnlSocket& operator=(const MnlSocket&) = delete;

    mnl_socket* get() const { return nl_; }
    explicit operator bool() const { return nl_ != nullptr; }
    unsigned portid() const { return mnl_socket_get_portid(nl_); }

private:
    mnl_socket* nl_;
};

struct State {
    MnlSocket* nl = nullptr;
    unsigned queue = 0;
    long wanted = 0;
    long seen = 0;
    int verdict = NF_ACCEPT;
    bool verdict_failed = false;
};

/// Sends a config message with NLM_F_ACK and waits for the kernel's answer, so a refused bind
/// (EPERM) is reported here and not later in the packet loop.
bool send_config(MnlSocket& nl, nlmsghdr* nlh, const char* what) {
    static unsigned seq = 0;
    nlh->nlmsg_flags |= NLM_F_ACK;
    nlh->nlmsg_seq = ++seq;
    if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) {
        std::fprintf(stderr, "nfq-listener: %s: send: %s\n", what, std::strerror(errno));
        return false;
    }
    std::vector<char> buf(kBufSize);
    ssize_t r = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
    if (r < 0 || mnl_cb_run(buf.data(), static_cast<std::size_t>(r), seq, nl.portid(), nullptr, nullptr) < 0) {
        std::fprintf(stderr, "nfq-listener: %s: %s\n", what, std::strerror(errno));
        return false;
    }
    return true;
}

int on_packet(const nlmsghdr* nlh, void* data) {
    auto* st = static_cast<State*>(data);
    if (st->seen >= st->wanted) return MNL_CB_STOP;
    nlattr* attr[NFQA_MAX + 1] = {};
    if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
        std::fprintf(stderr, "nfq-listener: malformed packet message\n");
        return MNL_CB_ERROR;
    }
    const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    nfqnl_msg_packet_hdr ph;
    std::memcpy(&ph, mnl_attr_get_payload(attr[NFQA_PACKET_HDR]), sizeof ph);
    const std::uint32_t id = ntohl(ph.packet_id);
    const std::uint32_t mark = attr[NFQA_MARK] ? ntohl(mnl_attr_get_u32(attr[NFQA_MARK])) : 0;
    const unsigned char* payload = nullptr;
    std::size_t len = 0;
    if (attr[NFQA_PAYLOAD]) {
        payload = static_cast<const unsigned char*>(mnl_attr_get_payload(attr[NFQA_PAYLOAD]));
        len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
    }
    auto f = payload ? parse_packet(payload, len) : vuurmuur::test::tools::PacketFields{};
    std::printf("queue=%u id=%u family=%s proto=%s src=%s dst=%s sport=%u dport=%u mark=0x%x syn=%d len=%zu verdict=%s\n",
                ntohs(nfg->res_id), id, vuurmuur::test::tools::family_name(nfg->nfgen_family).c_str(),
                vuurmuur::test::tools::proto_name(f.proto).c_str(), f.src.c_str(), f.dst.c_str(), f.sport, f.dport,
                mark, f.syn ? 1 : 0, len, st->verdict == NF_ACCEPT ? "accept" : "drop");
    std::fflush(stdout);

    std::vector<char> buf(kBufSize);
    nlmsghdr* v = nfq_nlmsg_put(buf.data(), NFQNL_MSG_VERDICT, st->queue);
    nfq_nlmsg_verdict_put(v, static_cast<int>(id), st->verdict);
    if (mnl_socket_sendto(st->nl->get(), v, v->nlmsg_len) < 0) {
        std::fprintf(stderr, "nfq-listener: verdict: %s\n", std::strerror(errno));
        st->verdict_failed = true;
        return MNL_CB_ERROR;
    }
    ++st->seen;
    return st->seen >= st->wanted ? MNL_CB_STOP : MNL_CB_OK;
}

int usage() {
    std::fputs("usage: vuurmuur-nfq-listener QUEUE COUNT accept|drop [TIMEOUT_S]\n", stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || argc > 5) return usage();
    long queue = vuurmuur::test::tools::parse_count(argv[1], 65535);
    long count = vuurmuur::test::tools::parse_count(argv[2], 1000000);
    std::string verdict = argv[3];
    double timeout_s = argc > 4 ? vuurmuur::test::tools::parse_seconds(argv[4]) : 10.0;
    if (queue < 0 || count < 0 || timeout_s < 0 || (verdict != "accept" && verdict != "drop")) return usage();

    MnlSocket nl;
    if (!nl) {
        std::fprintf(stderr, "nfq-listener: netlink socket: %s\n", std::strerror(errno));
        return 1;
    }
    State st;
    st.nl = &nl;
    st.queue = static_cast<unsigned>(queue);
    st.wanted = count;
    st.verdict = verdict == "accept" ? NF_ACCEPT : NF_DROP;

    std::vector<char> cfg(kBufSize);
    nlmsghdr* nlh = nfq_nlmsg_put(cfg.data(), NFQNL_MSG_CONFIG, st.queue);
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET /* ignored since Linux 3.8 */, NFQNL_CFG_CMD_BIND);
    if (!send_config(nl, nlh, "bind queue")) return 1;
    nlh = nfq_nlmsg_put(cfg.data(), NFQNL_MSG_CONFIG, st.queue);
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
    if (!send_config(nl, nlh, "copy mode")) return 1;
    int one = 1;
    mnl_socket_setsockopt(nl.get(), NETLINK_NO_ENOBUFS, &one, sizeof one);

    std::printf("ready\n");
    std::fflush(stdout);

    const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    std::vector<char> buf(0xffff + kBufSize / 2);
    const int fd = mnl_socket_get_fd(nl.get());
    while (st.seen < st.wanted) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
            std::fprintf(stderr, "nfq-listener: timeout after %ld of %ld packet(s)\n", st.seen, st.wanted);
            return 3;
        }
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        ssize_t n = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS) continue;
            std::fprintf(stderr, "nfq-listener: recv: %s\n", std::strerror(errno));
            return 1;
        }
        if (mnl_cb_run(buf.data(), static_cast<std::size_t>(n), 0, nl.portid(), on_packet, &st) < 0) {
            std::fprintf(stderr, "nfq-listener: %s\n", std::strerror(errno));
            return 1;
        }
    }
    return 0;
}
