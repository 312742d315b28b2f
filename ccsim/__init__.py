"""ccsim: a multi-vendor contact-center simulator and test double."""
