"""What the integration's triggers and conditions hear of an account's calls."""
