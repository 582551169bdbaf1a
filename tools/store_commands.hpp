// The commands that change a store, as JSON requests: run by `serve` for the admin socket, or
// by the command line itself when no server runs. One function per command, chosen by a table.
//   {"command":"purge"}
//   {"command":"keys.rotate","which":"signing"|"master","actor":"<hex>"}
//   {"command":"privacy.erase","subject":"<hex>","actor":"<hex>"}
//   {"command":"legal_hold","subject":"<hex>","held":true|false,"actor":"<hex>"}
//   {"command":"backup.create","target":"<absolute dir>","keep":N,"vault_keep_days":D} (backup.cpp)
// Thread safety: as the store's.
#pragma once

#include <boost/json.hpp>

#include "eventstore/privacy_keys.hpp"
#include "eventstore/store_admin.hpp"
#include "tools/cli.hpp"

namespace auditorium::tools {

// What the commands act on: the operator's commands (purge, key rotation, backups) and the privacy
// requests (erasure, legal holds); nothing else of the store. Both not owned.
struct StoreCommandTarget {
    eventstore::StoreAdmin& admin;
    eventstore::PrivacyKeys& privacy;
};

boost::json::object run_store_command(StoreCommandTarget store, const boost::json::object& request);

// backup.create, defined in tools/backup.cpp.
boost::json::object backup_create_command(StoreCommandTarget store,
                                          const boost::json::object& request);

// Sends `request` to the running server's admin socket, or runs it on the store opened here when
// no server runs; prints the response's "summary" and returns the exit code.
int run_mutating(const po::variables_map& vm, const boost::json::object& request);

}  // namespace auditorium::tools
