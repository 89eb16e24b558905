#pragma once
// The `qaqpa admin` command groups that live in files of their own; admin.cpp
// parses the words and the flags and hands each its part.

#include "cmd/admin_client.hpp"

namespace qaqpa::cmd {

/// `admin incidents list|update|close …` (the words after "incidents").
int incidents_command(std::span<const std::string_view> words, const flags& f, const admin_target& to);
/// `admin registry list|show|add|remove …` (the words after "registry").
int registry_command(std::span<const std::string_view> words, const flags& f, const admin_target& to);

} // namespace qaqpa::cmd
