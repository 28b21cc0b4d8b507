#include "seed_data.hpp"

#include <array>
#include <string>

#include <fmt/format.h>

namespace contacts::seed {
namespace {

constexpr std::array<std::string_view, 11> first_name_list = {
    "Ana", "Pedro", "Maria", "John", "Carla", "Lucas", "James", "Emma", "Hans", "François", "Marie",
};

constexpr std::array<std::string_view, 6> last_name_list = {
    "Silva", "Santos", "Oliveira", "Smith", "Mueller", "Dubois",
};

constexpr std::array<std::string_view, 5> company_list = {
    "TechCorp Brasil", "Cloud Nine Tech", "Kubernetes Masters", "AWS Partners", "DevSecOps Group",
};

std::string_view pick(std::span<std::string_view const> list, std::mt19937& random) {
  std::uniform_int_distribution<std::size_t> index(0, list.size() - 1);
  return list[index(random)];
}

}  // namespace

std::span<std::string_view const> first_names() { return first_name_list; }
std::span<std::string_view const> last_names() { return last_name_list; }
std::span<std::string_view const> companies() { return company_list; }

std::vector<ContactInput> make_contacts(std::size_t count, std::mt19937& random) {
  std::vector<ContactInput> contacts;
  contacts.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto const first = pick(first_names(), random);
    auto const last = pick(last_names(), random);
    contacts.push_back(ContactInput{fmt::format("{} {}", first, last), fmt::format("{}.{}@email.com", first, last),
                                    std::nullopt, std::string(pick(companies(), random)), std::nullopt});
  }
  return contacts;
}

}  // namespace contacts::seed
