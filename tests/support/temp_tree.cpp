// SPDX-License-Identifier: GPL-2.0-or-later
#include "support/temp_tree.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace vuurmuur::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/vuurmuur-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buf.data();
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& rel, const std::string& content) const {
    write_file(path_ / rel, content);
}

fs::path source_dir() { return VM_SOURCE_DIR; }
fs::path binary_dir() { return VM_BINARY_DIR; }

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + path.string());
    out.close();
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
}

void copy_tree(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (const auto& entry : fs::recursive_directory_iterator(from)) {
        fs::path target = to / fs::relative(entry.path(), from);
        if (entry.is_directory()) {
            fs::create_directories(target);
        } else if (entry.is_regular_file()) {
            write_file(target, read_file(entry.path()));
        }
    }
}

void copy_default_tree(const fs::path& to) {
    write_file(to / "config.conf", read_file(source_dir() / "config.conf"));
    for (const char* dir : {"zones", "services", "interfaces", "rules"}) {
        copy_tree(source_dir() / dir, to / dir);
    }
}

std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            out[fs::relative(entry.path(), root).string()] = read_file(entry.path());
        }
    }
    return out;
}

std::string compare_golden(const fs::path& golden, const std::string& actual) {
    const char* update = std::getenv("VUURMUUR_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) == "1") {
        fs::create_directories(golden.parent_path());
        std::ofstream(golden, std::ios::binary | std::ios::trunc) << actual;
        return {};
    }
    if (!fs::exists(golden)) {
        return "golden file " + golden.string() + " is missing (run with VUURMUUR_UPDATE_GOLDEN=1)";
    }
    std::string expected = read_file(golden);
    if (expected == actual) return {};
    std::istringstream e(expected), a(actual);
    std::string el, al;
    int line = 0;
    for (;;) {
        bool he = static_cast<bool>(std::getline(e, el));
        bool ha = static_cast<bool>(std::getline(a, al));
        ++line;
        if (!he && !ha) break;
        if (!he || !ha || el != al) {
            return golden.string() + ":" + std::to_string(line) + ": differs\n  expected: " +
                   (he ? el : "<end>") + "\n  actual:   " + (ha ? al : "<end>") +
                   "\n(regenerate with VUURMUUR_UPDATE_GOLDEN=1 and review the diff)";
        }
    }
    return golden.string() + ": differs in line endings";
}

}  // namespace vuurmuur::test
