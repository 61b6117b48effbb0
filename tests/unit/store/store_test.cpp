// SPDX-License-Identifier: GPL-2.0-or-later
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <functional>

#include "support/temp_tree.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/io/file_io.h"
#include "vuurmuur/pipeline.h"

using namespace vuurmuur;
namespace fs = std::filesystem;

namespace {

struct FileId {
    ino_t inode;
    std::string content;
    bool operator==(const FileId&) const = default;
};

std::map<std::string, FileId> identities(const fs::path& root) {
    std::map<std::string, FileId> out;
    for (const auto& [rel, content] : test::snapshot(root)) {
        struct stat st {};
        REQUIRE(::stat((root / rel).c_str(), &st) == 0);
        out[rel] = {st.st_ino, content};
    }
    return out;
}

/// Waits for a child and returns its exit status (-1 when it was killed).
int wait_child(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("every file of the default and the every-key tree serialises back byte for byte") {
    for (const fs::path& root : {test::source_dir() / "tests/fixtures/original-every-key",
                                 test::source_dir()}) {
        test::TempDir dir;
        if (root == test::source_dir()) test::copy_default_tree(dir.path());
        else test::copy_tree(root, dir.path());
        diag::Diagnostics diags;
        auto tree = config::load_textdir(dir.path(), diags);
        REQUIRE(tree.files.size() > 10);
        for (const auto& [rel, file] : tree.files) {
            INFO(rel);
            CHECK(file.serialize() == test::read_file(dir.path() / rel));
        }
    }
}

TEST_CASE("a transaction that reads but changes nothing rewrites no file") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    auto before = identities(dir.path());
    config::Store store(dir.path());
    store.transact([&](config::Transaction& tx) {
        for (const auto& [rel, id] : before) tx.file(rel);
    });
    auto after = identities(dir.path());
    after.erase(".vuurmuur.lock");
    CHECK(after == before);
}

TEST_CASE("modifying one host rewrites only that host's file, atomically and 0600") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    const std::string host = "zones/lan/networks/local/hosts/admin-pc.host";
    auto before = identities(dir.path());
    config::Store store(dir.path());
    store.modify(host, [](config::KvFile& f) { f.set("IPADDRESS", {"192.168.1.20"}); });

    auto after = identities(dir.path());
    after.erase(".vuurmuur.lock");
    REQUIRE(after.size() == before.size());
    for (const auto& [rel, id] : before) {
        INFO(rel);
        if (rel == host) {
            CHECK(after[rel].inode != id.inode);
            CHECK(after[rel].content.find("IPADDRESS=\"192.168.1.20\"\n") != std::string::npos);
            CHECK(after[rel].content.find("192.168.1.10") == std::string::npos);
        } else {
            CHECK(after[rel] == id);
        }
    }
    struct stat st {};
    REQUIRE(::stat((dir.path() / host).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // No temp file is left next to it.
    for (const auto& e : fs::directory_iterator((dir.path() / host).parent_path())) {
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
    diag::Diagnostics diags;
    auto loaded = load_and_check(dir.path(), diags);
    CHECK(loaded.config.find_host("admin-pc", "local", "lan")->ipv4->str() == "192.168.1.20");
}

TEST_CASE("a created object gets 0700 directories and a 0600 file") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    config::Store store(dir.path());
    store.transact([](config::Transaction& tx) {
        auto& f = tx.create("zones/vpn/networks/tun/network.config");
        f.set("ACTIVE", {"Yes"});
        f.set("NETWORK", {"10.8.0.0"});
        f.set("NETMASK", {"255.255.255.0"});
    });
    struct stat st {};
    REQUIRE(::stat((dir.path() / "zones/vpn/networks/tun").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat((dir.path() / "zones/vpn/networks/tun/network.config").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(test::read_file(dir.path() / "zones/vpn/networks/tun/network.config") ==
          "ACTIVE=\"Yes\"\nNETWORK=\"10.8.0.0\"\nNETMASK=\"255.255.255.0\"\n");
    CHECK_THROWS_AS(store.transact([](config::Transaction& tx) {
                        tx.create("zones/vpn/networks/tun/network.config");
                    }),
                    io::IoError);
}

TEST_CASE("two processes modifying different objects 500 times each lose no update") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    const int kRounds = 500;
    int go[2];
    REQUIRE(::pipe(go) == 0);

    auto writer = [&](const std::string& host, const std::string& tag) -> pid_t {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid != 0) return pid;
        ::close(go[1]);
        char c;
        if (::read(go[0], &c, 1) != 0) ::_exit(3);  // start together when the pipe closes
        try {
            config::Store store(dir.path());
            for (int i = 0; i < kRounds; ++i) {
                store.modify(host, [&](config::KvFile& f) { f.set("COMMENT", {tag + std::to_string(i)}); });
                // The blocklist is shared: a lost update would lose one of these lines.
                store.modify("rules/blocklist.conf", [&](config::KvFile& f) {
                    f.append("RULE", "block 198.51.100." + std::to_string(i % 250 + 1) + tag);
                });
            }
        } catch (...) {
            ::_exit(2);
        }
        ::_exit(0);
    };
    pid_t a = writer("zones/lan/networks/local/hosts/admin-pc.host", "a");
    pid_t b = writer("zones/dmz/networks/dmz-net/hosts/web.host", "b");
    ::close(go[0]);
    ::close(go[1]);
    CHECK(wait_child(a) == 0);
    CHECK(wait_child(b) == 0);

    diag::Diagnostics diags;
    auto tree = config::load_textdir(dir.path(), diags);
    CHECK(tree.find("zones/lan/networks/local/hosts/admin-pc.host")->first("COMMENT")->value == "a499");
    CHECK(tree.find("zones/dmz/networks/dmz-net/hosts/web.host")->first("COMMENT")->value == "b499");
    auto entries = tree.find("rules/blocklist.conf")->entries("RULE");
    CHECK(entries.size() == 2u * kRounds);
}

namespace {
int g_signal_fd = -1;
void announce_and_hang(const fs::path&) {
    char c = 'x';
    if (::write(g_signal_fd, &c, 1) != 1) ::_exit(4);
    for (;;) ::pause();  // killed here, between the synced temp file and the rename
}
}  // namespace

TEST_CASE("a writer killed with SIGKILL during a save leaves the old file") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    const std::string host = "zones/lan/networks/local/hosts/admin-pc.host";
    const std::string old_content = test::read_file(dir.path() / host);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(ready[0]);
        g_signal_fd = ready[1];
        io::set_before_rename_hook(announce_and_hang);
        config::Store store(dir.path());
        store.modify(host, [](config::KvFile& f) { f.set("COMMENT", {"new"}); });
        ::_exit(0);
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::kill(pid, SIGKILL);
    CHECK(wait_child(pid) == -1);
    ::close(ready[0]);
    CHECK(test::read_file(dir.path() / host) == old_content);

    // The leftover temp file is invisible to the loader and the lock is free again.
    diag::Diagnostics diags;
    load_and_check(dir.path(), diags);
    INFO(diag::render_all(diags, ""));
    CHECK(diags.all().empty());
    config::Store store(dir.path());
    store.modify(host, [](config::KvFile& f) { f.set("COMMENT", {"after"}); });
    CHECK(test::read_file(dir.path() / host).find("COMMENT=\"after\"") != std::string::npos);
}

TEST_CASE("a writer killed at any moment of repeated saves leaves each file old or new") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    const std::string rel = "rules/rules.conf";
    const std::string a(4000, 'a'), b(4000, 'b');
    int progress[2];
    REQUIRE(::pipe(progress) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(progress[0]);
        config::Store store(dir.path());
        for (int i = 0;; ++i) {
            store.modify(rel, [&](config::KvFile& f) { f.set("COMMENT", {i % 2 ? a : b}); });
            char c = 'x';
            if (i == 3 && ::write(progress[1], &c, 1) != 1) ::_exit(4);
        }
    }
    ::close(progress[1]);
    char c = 0;
    REQUIRE(::read(progress[0], &c, 1) == 1);
    ::kill(pid, SIGKILL);
    CHECK(wait_child(pid) == -1);
    ::close(progress[0]);
    std::string content = test::read_file(dir.path() / rel);
    bool is_a = content.find("COMMENT=\"" + a + "\"") != std::string::npos;
    bool is_b = content.find("COMMENT=\"" + b + "\"") != std::string::npos;
    CHECK(is_a != is_b);
    CHECK(content.find("RULE=\"masq service any from local.lan to world.inet\"") != std::string::npos);
}

namespace {

/// Runs `body` in a child process and returns its exit code; -1 when it was killed, -2 when
/// it had not ended after 60 s (a deadlock: the child is killed; a bound for a hang, not a
/// timing assertion).
int in_child(const std::function<int()>& body) {
    int done[2];
    REQUIRE(::pipe(done) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(done[0]);
        int rc = 3;
        try {
            rc = body();
        } catch (...) {
            rc = 4;
        }
        ::_exit(rc);  // closes done[1]
    }
    ::close(done[1]);
    pollfd p{done[0], POLLIN, 0};
    int r;
    do {
        r = ::poll(&p, 1, 60000);
    } while (r < 0 && errno == EINTR);
    ::close(done[0]);
    if (r == 0) {
        ::kill(pid, SIGKILL);
        wait_child(pid);
        return -2;
    }
    return wait_child(pid);
}

/// Whether another open file description can take the tree's lock for writing right now.
bool lock_is_free(const fs::path& root) {
    int fd = ::open((root / ".vuurmuur.lock").c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return true;
    bool free = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return free;
}

}  // namespace

TEST_CASE("a load inside a transaction of the same thread reads the tree instead of waiting for itself") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    // In a child: before, the shared lock of load() waited forever for the transaction's own
    // exclusive lock.
    int rc = in_child([&] {
        config::Store store(dir.path());
        int result = 10;
        store.transact([&](config::Transaction& tx) {
            diag::Diagnostics diags;
            // Spelled differently: the lock file is the same.
            config::Tree tree = config::Store(dir.path() / "zones" / "..").load(diags);
            if (tree.find("rules/rules.conf") == nullptr) return;
            // The transaction's lock outlives the nested one.
            if (lock_is_free(dir.path())) {
                result = 11;
                return;
            }
            tx.file("rules/blocklist.conf").append("RULE", "block 192.0.2.9");
            result = 0;
        });
        return lock_is_free(dir.path()) ? result : 12;
    });
    CHECK(rc == 0);
    CHECK(test::read_file(dir.path() / "rules/blocklist.conf").find("RULE=\"block 192.0.2.9\"") != std::string::npos);
}

TEST_CASE("a transaction inside a load of the same thread is refused with an error, not a deadlock") {
    test::TempDir dir;
    test::copy_default_tree(dir.path());
    int rc = in_child([&] {
        io::TreeLock reading(dir.path(), io::TreeLock::Mode::Shared);
        try {
            config::Store(dir.path()).modify("rules/blocklist.conf", [](config::KvFile&) {});
        } catch (const io::IoError& e) {
            return std::string(e.what()) == (dir.path() / ".vuurmuur.lock").string() +
                                                ": cannot lock for writing while this thread holds it for reading"
                       ? 0
                       : 20;
        }
        return 21;
    });
    CHECK(rc == 0);
}
