"""The regional agenda of activities (views) and a country's "what's new" (news, and its page in views)."""
