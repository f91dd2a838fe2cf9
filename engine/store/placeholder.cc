// Scaffolding: the store module replaces this file with its sources.
