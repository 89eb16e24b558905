#include "cmd/commands.hpp"

#include "crypto/password.hpp"

#include <iostream>
#include <string>

namespace qaqpa::cmd {

int hash_password(std::span<const std::string_view> args) {
    if (!args.empty()) {
        std::cerr << "usage: qaqpa hash-password < password.txt\n";
        return 2;
    }
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) {
        std::cerr << "qaqpa: hash-password: empty password on stdin\n";
        return 2;
    }
    std::cout << crypto::hash_password(password) << '\n';
    return 0;
}

} // namespace qaqpa::cmd
