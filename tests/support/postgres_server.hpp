#pragma once
// A PostgreSQL 15 server for tests, from Debian's postgresql-15 binaries:
// initdb into a temporary directory, listening on 127.0.0.1 at a free port
// (and a socket in that directory), trust authentication for user "qaqpa".
// As root it runs as the "postgres" user (initdb refuses root). It stops
// with the object, and a watchdog stops it when the test process dies
// without that. Tests skip where the binaries are absent.

#include <memory>
#include <string>

namespace qaqpa::test {

class postgres_server {
public:
    /// The test process's one server, started on first use (a second or two);
    /// null when PostgreSQL cannot run here (see unavailable_reason()).
    static postgres_server* shared();
    /// Why shared() is null; "" when it is not.
    static const std::string& unavailable_reason();

    ~postgres_server();
    postgres_server(const postgres_server&) = delete;
    postgres_server& operator=(const postgres_server&) = delete;

    int port() const { return port_; }
    /// A libpq connection string for database `db` as user qaqpa.
    std::string dsn(const std::string& db = "postgres") const;

private:
    postgres_server(std::string dir, int port, std::string run_as);
    std::string dir_;
    int port_;
    std::string run_as_; ///< "runuser -u postgres -- " as root, else ""
};

} // namespace qaqpa::test
