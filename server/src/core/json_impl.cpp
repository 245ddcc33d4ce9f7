// Boost.JSON compiled once for the whole program (header-only mode needs exactly one such TU).
#include <boost/json/src.hpp>
