#include "config/problems.hpp"

namespace wgs::config {
namespace {

// "WG_CONFIG" is about WG_CONFIG, and so is "WG_CONFIG line 3 (PrivateKey)"; "WG_CONFIG_X" is not.
bool is_about(std::string const& where, std::string const& name) {
  return where == name || (where.starts_with(name) && where[name.size()] == ' ');
}

}  // namespace

void Problems::add(std::string where, std::string what) {
  if (auto const* alias = alias_for(where)) {
    if (alias->alias.empty()) return;
    where = alias->alias + where.substr(alias->name.size());
  }
  ++count_;
  if (list_.size() < kept_limit) list_.push_back({std::move(where), std::move(what)});
}

void Problems::report_as(std::string name, std::string alias) { aliases_.push_back({std::move(name), std::move(alias)}); }

void Problems::silence(std::string name) { aliases_.push_back({std::move(name), {}}); }

Problems::Alias const* Problems::alias_for(std::string const& where) const {
  for (auto const& alias : aliases_) {
    if (is_about(where, alias.name)) return &alias;
  }
  return nullptr;
}

}  // namespace wgs::config
