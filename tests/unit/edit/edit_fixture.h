// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// A small config tree for the editor tests, and an Editor on it whose audit records are
// collected.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/temp_tree.h"
#include "vuurmuur/config/store.h"
#include "vuurmuur/edit/editor.h"

namespace vuurmuur::test {

inline const char* const kTestRules =
    "RULE=\"separator options comment=\\\"admin\\\"\"\n"
    "RULE=\"accept service ssh from pc1.local.lan to firewall options log,logprefix=\\\"ssh\\\"\"\n"
    "RULE=\"accept service ssh from admins.local.lan to firewall\"\n"
    "# the web\n"
    "RULE=\"accept service http from local.lan to world.inet options out_int=\\\"inet-nic\\\"\"\n"
    "RULE=\";accept service dns from pc1.local.lan to world.inet\"\n";

inline const char* const kTestBlocklist =
    "# blocked\n"
    "RULE=\"block 10.9.9.9\"\n"
    "RULE=\"block pc1.local.lan\"\n";

inline void write_test_tree(const TempDir& dir) {
    dir.write("config.conf", "LOG_POLICY=\"Yes\"\n");
    dir.write("zones/lan/zone.config", "ACTIVE=\"Yes\"\nCOMMENT=\"lan\"\n");
    dir.write("zones/lan/networks/local/network.config",
              "ACTIVE=\"Yes\"\nNETWORK=\"192.168.1.0\"\nNETMASK=\"255.255.255.0\"\n"
              "IPV6NETWORK=\"fd00:1::\"\nIPV6CIDR=\"64\"\nINTERFACE=\"lan-nic\"\nCOMMENT=\"\"\n");
    dir.write("zones/lan/networks/local/hosts/pc1.host",
              "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.10\"\nMAC=\"\"\nCOMMENT=\"first\"\n");
    dir.write("zones/lan/networks/local/hosts/pc2.host",
              "ACTIVE=\"Yes\"\nIPADDRESS=\"192.168.1.11\"\nMAC=\"\"\nCOMMENT=\"\"\n");
    dir.write("zones/lan/networks/local/groups/admins.group",
              "ACTIVE=\"Yes\"\nMEMBER=\"pc1\"\nMEMBER=\"pc2\"\nCOMMENT=\"\"\n");
    dir.write("zones/inet/zone.config", "ACTIVE=\"Yes\"\nCOMMENT=\"\"\n");
    dir.write("zones/inet/networks/world/network.config",
              "ACTIVE=\"Yes\"\nNETWORK=\"0.0.0.0\"\nNETMASK=\"0.0.0.0\"\nINTERFACE=\"inet-nic\"\n");
    dir.write("interfaces/lan-nic.conf",
              "ACTIVE=\"Yes\"\nDEVICE=\"eth1\"\nIPADDRESS=\"192.168.1.1\"\nVIRTUAL=\"No\"\n");
    dir.write("interfaces/inet-nic.conf",
              "ACTIVE=\"Yes\"\nDEVICE=\"eth0\"\nIPADDRESS=\"dynamic\"\nVIRTUAL=\"No\"\n");
    dir.write("services/ssh", "ACTIVE=\"Yes\"\nTCP=\"22*1024:65535\"\n");
    dir.write("services/http", "ACTIVE=\"Yes\"\nTCP=\"80*1024:65535\"\n");
    dir.write("services/dns", "ACTIVE=\"Yes\"\nUDP=\"53*1024:65535\"\nTCP=\"53*1024:65535\"\n");
    dir.write("rules/rules.conf", kTestRules);
    dir.write("rules/blocklist.conf", kTestBlocklist);
}

class EditFixture {
public:
    EditFixture() : store_(dir_.path()), editor_(store_, sink(), "tester") { write_test_tree(dir_); }

    edit::Editor& editor() { return editor_; }
    const std::filesystem::path& root() const { return dir_.path(); }
    std::string file(const std::string& rel) const { return read_file(dir_.path() / rel); }
    bool exists(const std::string& rel) const { return std::filesystem::exists(dir_.path() / rel); }
    /// Every file but the lock file.
    std::map<std::string, std::string> files() const {
        auto all = snapshot(dir_.path());
        all.erase(".vuurmuur.lock");
        return all;
    }
    const std::vector<edit::AuditRecord>& audit() const { return audit_; }

private:
    edit::AuditSink sink() {
        return [this](const edit::AuditRecord& r) { audit_.push_back(r); };
    }

    TempDir dir_;
    config::Store store_;
    std::vector<edit::AuditRecord> audit_;
    edit::Editor editor_;
};

}  // namespace vuurmuur::test
