"""The visitors of benchmarks/load.py, as a locustfile (locust imports it in its own process).

Each visitor is anonymous, waits 0.5–1.5 s between pages and asks, in these proportions: the home page (2),
a library list with filters (3), a library's page (3), a catalog search (2) and an API list (2). The
addresses come from the demo database, chosen by load.py and passed in the JSON file named by
SIRBI_LOAD_PLAN: {"library_lists": [...], "libraries": [...], "searches": [...], "api_lists": [...]}.
Pages are asked in Spanish, Portuguese and English (6:3:1).
"""

import json
import os
import random

from locust import HttpUser, between, task

with open(os.environ["SIRBI_LOAD_PLAN"], encoding="utf-8") as _file:
    PLAN = json.load(_file)
LANGUAGES, LANGUAGE_WEIGHTS = ["es", "pt", "en"], [6, 3, 1]
TIMEOUT = 30  # seconds; a slower answer counts as an error


def language():
    return random.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]


class Visitor(HttpUser):
    wait_time = between(0.5, 1.5)

    def get(self, path, name):
        with self.client.get(path, name=name, timeout=TIMEOUT, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

    @task(2)
    def home(self):
        self.get(f"/{language()}/", "home")

    @task(3)
    def library_list(self):
        self.get(f"/{language()}{random.choice(PLAN['library_lists'])}", "library list with filters")

    @task(3)
    def library_page(self):
        self.get(f"/{language()}/registry/libraries/{random.choice(PLAN['libraries'])}/", "library page")

    @task(2)
    def catalog_search(self):
        self.get(f"/{language()}{random.choice(PLAN['searches'])}", "catalog search")

    @task(2)
    def api_list(self):
        self.get(random.choice(PLAN["api_lists"]), "API list")
