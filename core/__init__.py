"""The ground floor: what every layer may import (errors, configuration). Imports nothing of the project."""
