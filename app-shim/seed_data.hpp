#pragma once
// Test contacts made from the seed's name and company lists (seed.go), as its seeder did:
// a random first and last name, "First.Last@email.com", a random company.
#include <cstddef>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "contact.hpp"

namespace contacts::seed {

std::span<std::string_view const> first_names();
std::span<std::string_view const> last_names();
std::span<std::string_view const> companies();

std::vector<ContactInput> make_contacts(std::size_t count, std::mt19937& random);

}  // namespace contacts::seed
