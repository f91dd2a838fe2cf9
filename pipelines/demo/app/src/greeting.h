#pragma once
#include <string>

// The greeting the service prints.
std::string greeting(const std::string& who);
