"""The starting indicator catalogue: the IFLA Library Map of the World set and indicators derived from it.

Names and definitions are given in the three languages here because they are data the secretariat
edits afterwards (in the admin), not interface text.
"""

from .choices import Aggregation, Counted, Direction, Unit

# code: (names es/pt/en, definitions es/pt/en, unit, standard)
BASE = {
    "libraries": (
        ("Bibliotecas y puntos de servicio", "Bibliotecas e pontos de serviço", "Libraries and service points"),
        ("Número de bibliotecas y de puntos de servicio (sucursales, bibliobuses) abiertos al público.",
         "Número de bibliotecas e de pontos de serviço (filiais, bibliotecas móveis) abertos ao público.",
         "Number of libraries and service points (branches, mobile libraries) open to the public."),
        Unit.COUNT, "ISO 2789: libraries and service points",
    ),
    "libraries_internet": (
        ("Bibliotecas con acceso a internet", "Bibliotecas com acesso à internet", "Libraries with internet access"),
        ("Bibliotecas y puntos de servicio que ofrecen acceso a internet a sus usuarios.",
         "Bibliotecas e pontos de serviço que oferecem acesso à internet aos seus usuários.",
         "Libraries and service points that offer internet access to their users."),
        Unit.COUNT, "IFLA Library Map of the World: libraries with internet access",
    ),
    "staff_fte": (
        ("Personal (equivalente a tiempo completo)", "Pessoal (equivalente a tempo integral)",
         "Staff (full-time equivalent)"),
        ("Personal remunerado de las bibliotecas, en equivalentes a tiempo completo.",
         "Pessoal remunerado das bibliotecas, em equivalentes a tempo integral.",
         "Paid library staff, in full-time equivalents."),
        Unit.FTE, "ISO 2789: library staff (FTE)",
    ),
    "volunteers": (
        ("Voluntarios", "Voluntários", "Volunteers"),
        ("Personas que trabajan en las bibliotecas sin remuneración.",
         "Pessoas que trabalham nas bibliotecas sem remuneração.",
         "People who work in the libraries without pay."),
        Unit.COUNT, "ISO 2789: volunteers",
    ),
    "registered_users": (
        ("Usuarios inscritos", "Usuários inscritos", "Registered users"),
        ("Personas inscritas en las bibliotecas para usar sus servicios.",
         "Pessoas inscritas nas bibliotecas para usar os seus serviços.",
         "People registered with the libraries to use their services."),
        Unit.COUNT, "ISO 2789: registered users",
    ),
    "visits": (
        ("Visitas presenciales", "Visitas presenciais", "Physical visits"),
        ("Entradas de personas a las bibliotecas en el año.",
         "Entradas de pessoas nas bibliotecas no ano.",
         "Entries of people into the libraries in the year."),
        Unit.COUNT, "ISO 2789: library visits",
    ),
    "loans_books": (
        ("Préstamos de libros", "Empréstimos de livros", "Physical loans (books)"),
        ("Préstamos de libros impresos en el año, renovaciones excluidas.",
         "Empréstimos de livros impressos no ano, renovações excluídas.",
         "Loans of printed books in the year, renewals excluded."),
        Unit.COUNT, "ISO 2789: loans",
    ),
    "loans_other_physical": (
        ("Préstamos de otros soportes físicos", "Empréstimos de outros suportes físicos",
         "Physical loans (other carriers)"),
        ("Préstamos de documentos en otros soportes físicos (discos, mapas, juegos...).",
         "Empréstimos de documentos em outros suportes físicos (discos, mapas, jogos...).",
         "Loans of documents on other physical carriers (discs, maps, games...)."),
        Unit.COUNT, "ISO 2789: loans",
    ),
    "eloans_ebooks": (
        ("Préstamos electrónicos (libros electrónicos)", "Empréstimos eletrônicos (livros eletrônicos)",
         "Electronic loans (e-books)"),
        ("Préstamos de libros electrónicos en el año.", "Empréstimos de livros eletrônicos no ano.",
         "Loans of e-books in the year."),
        Unit.COUNT, "ISO 2789: electronic loans",
    ),
    "eloans_audiobooks": (
        ("Préstamos electrónicos (audiolibros)", "Empréstimos eletrônicos (audiolivros)",
         "Electronic loans (audiobooks)"),
        ("Préstamos de audiolibros en el año.", "Empréstimos de audiolivros no ano.",
         "Loans of audiobooks in the year."),
        Unit.COUNT, "ISO 2789: electronic loans",
    ),
    "eloans_downloads": (
        ("Préstamos electrónicos (descargas)", "Empréstimos eletrônicos (downloads)", "Electronic loans (downloads)"),
        ("Descargas de otros contenidos electrónicos en el año.", "Downloads de outros conteúdos eletrônicos no ano.",
         "Downloads of other electronic content in the year."),
        Unit.COUNT, "ISO 2789: electronic loans",
    ),
    # Interlibrary lending and borrowing (ISO 2789:2022, interlibrary lending): counted by the platform from the
    # interlibrary loan requests (source "ill"), and reportable like any other figure.
    "ill_requests_received": (
        ("Solicitudes de préstamo interbibliotecario recibidas", "Pedidos de empréstimo entre bibliotecas recebidos",
         "Interlibrary lending requests received"),
        ("Solicitudes de otras bibliotecas recibidas en el año (préstamos y copias).",
         "Pedidos de outras bibliotecas recebidos no ano (empréstimos e cópias).",
         "Requests from other libraries received in the year (loans and copies)."),
        Unit.COUNT, "ISO 2789: interlibrary lending — requests received from other libraries",
    ),
    "ill_lending": (
        ("Préstamo interbibliotecario: documentos suministrados", "Empréstimo entre bibliotecas: documentos fornecidos",
         "Interlibrary lending: documents supplied"),
        ("Documentos prestados o copias enviadas a otras bibliotecas en el año.",
         "Documentos emprestados ou cópias enviadas a outras bibliotecas no ano.",
         "Documents lent or copies sent to other libraries in the year."),
        Unit.COUNT, "ISO 2789: interlibrary lending — documents supplied to other libraries",
    ),
    "ill_requests_made": (
        ("Solicitudes de préstamo interbibliotecario enviadas", "Pedidos de empréstimo entre bibliotecas enviados",
         "Interlibrary borrowing requests made"),
        ("Solicitudes enviadas a otras bibliotecas en el año (préstamos y copias).",
         "Pedidos enviados a outras bibliotecas no ano (empréstimos e cópias).",
         "Requests sent to other libraries in the year (loans and copies)."),
        Unit.COUNT, "ISO 2789: interlibrary borrowing — requests made to other libraries",
    ),
    "ill_borrowing": (
        ("Préstamo interbibliotecario: documentos obtenidos", "Empréstimo entre bibliotecas: documentos obtidos",
         "Interlibrary borrowing: documents obtained"),
        ("Documentos o copias que otras bibliotecas suministraron a la biblioteca en el año.",
         "Documentos ou cópias que outras bibliotecas forneceram à biblioteca no ano.",
         "Documents or copies other libraries supplied to the library in the year."),
        Unit.COUNT, "ISO 2789: interlibrary borrowing — documents received from other libraries",
    ),
}

# code: (names, definitions, unit, standard, numerator, denominator (None: population), multiplier, direction)
DERIVED = {
    "libraries_per_100k": (
        ("Bibliotecas por 100.000 habitantes", "Bibliotecas por 100.000 habitantes",
         "Libraries per 100,000 inhabitants"),
        ("Bibliotecas y puntos de servicio divididos por la población, por 100.000.",
         "Bibliotecas e pontos de serviço divididos pela população, por 100.000.",
         "Libraries and service points divided by the population, times 100,000."),
        Unit.PER_100K, "ISO 11620: service points per capita", "libraries", None, 100_000, Direction.HIGHER,
    ),
    "users_pct_population": (
        ("Usuarios inscritos (% de la población)", "Usuários inscritos (% da população)",
         "Registered users (% of population)"),
        ("Usuarios inscritos divididos por la población, en porcentaje.",
         "Usuários inscritos divididos pela população, em porcentagem.",
         "Registered users divided by the population, as a percentage."),
        Unit.PERCENT, "ISO 11620: percentage of the population reached", "registered_users", None, 100,
        Direction.HIGHER,
    ),
    "visits_per_capita": (
        ("Visitas por habitante", "Visitas por habitante", "Visits per inhabitant"),
        ("Visitas presenciales divididas por la población.", "Visitas presenciais divididas pela população.",
         "Physical visits divided by the population."),
        Unit.PER_CAPITA, "ISO 11620: library visits per capita", "visits", None, 1, Direction.HIGHER,
    ),
    "loans_per_capita": (
        ("Préstamos de libros por habitante", "Empréstimos de livros por habitante", "Book loans per inhabitant"),
        ("Préstamos de libros divididos por la población.", "Empréstimos de livros divididos pela população.",
         "Loans of books divided by the population."),
        Unit.PER_CAPITA, "ISO 11620: loans per capita", "loans_books", None, 1, Direction.HIGHER,
    ),
    "staff_per_10k": (
        ("Personal por 10.000 habitantes", "Pessoal por 10.000 habitantes", "Staff per 10,000 inhabitants"),
        ("Personal (ETC) dividido por la población, por 10.000.",
         "Pessoal (ETI) dividido pela população, por 10.000.",
         "Staff (FTE) divided by the population, times 10,000."),
        Unit.PER_10K, "ISO 11620: staff per capita", "staff_fte", None, 10_000, Direction.HIGHER,
    ),
    "internet_pct": (
        ("Bibliotecas con acceso a internet (%)", "Bibliotecas com acesso à internet (%)",
         "Libraries with internet access (%)"),
        ("Bibliotecas con acceso a internet divididas por el total de bibliotecas, en porcentaje.",
         "Bibliotecas com acesso à internet divididas pelo total de bibliotecas, em porcentagem.",
         "Libraries with internet access divided by all libraries, as a percentage."),
        Unit.PERCENT, "", "libraries_internet", "libraries", 100, Direction.HIGHER,
    ),
    "loans_per_user": (
        ("Préstamos de libros por usuario inscrito", "Empréstimos de livros por usuário inscrito",
         "Book loans per registered user"),
        ("Préstamos de libros divididos por los usuarios inscritos.",
         "Empréstimos de livros divididos pelos usuários inscritos.",
         "Loans of books divided by the registered users."),
        Unit.RATIO, "ISO 11620: loans per user", "loans_books", "registered_users", 1, Direction.HIGHER,
    ),
    "ill_fill_rate": (
        ("Solicitudes de préstamo interbibliotecario atendidas (%)",
         "Pedidos de empréstimo entre bibliotecas atendidos (%)", "Interlibrary borrowing requests filled (%)"),
        ("Documentos obtenidos divididos por las solicitudes enviadas, en porcentaje.",
         "Documentos obtidos divididos pelos pedidos enviados, em porcentagem.",
         "Documents obtained divided by the requests made, as a percentage."),
        Unit.PERCENT, "ISO 11620: success rate of interlibrary loans", "ill_borrowing", "ill_requests_made", 100,
        Direction.HIGHER,
    ),
}


# The indicators that count libraries count service points, as ISO 2789 and the Library Map of the World do; the
# per-capita one divides that same count (so it is service points per 100,000 inhabitants).
COUNTED_AS = {"libraries": Counted.SERVICE_POINTS, "libraries_internet": Counted.SERVICE_POINTS,
              "libraries_per_100k": Counted.SERVICE_POINTS}


def seed_indicators():
    """Create the catalogue's indicators that do not exist yet (the secretariat's edits are kept)."""
    from .models import Indicator

    created = 0
    position = 0
    for code, (names, definitions, unit, standard) in BASE.items():
        position += 10
        _, was_created = Indicator.objects.get_or_create(code=code, defaults={
            **_texts(names, definitions), "unit": unit, "standard": standard, "position": position,
            "aggregation": Aggregation.SUM, "direction": Direction.HIGHER, "counts": COUNTED_AS.get(code, ""),
        })
        created += was_created
    for code, (names, definitions, unit, standard, numerator, denominator, multiplier, direction) in DERIVED.items():
        position += 10
        _, was_created = Indicator.objects.get_or_create(code=code, defaults={
            **_texts(names, definitions), "unit": unit, "standard": standard, "position": position,
            "aggregation": Aggregation.RATIO, "direction": direction, "multiplier": multiplier,
            "numerator": Indicator.objects.get(code=numerator),
            "denominator": Indicator.objects.get(code=denominator) if denominator else None,
            "counts": COUNTED_AS.get(code, ""),
        })
        created += was_created
    return created


def _texts(names, definitions):
    return {
        "name_es": names[0], "name_pt": names[1], "name_en": names[2],
        "definition_es": definitions[0], "definition_pt": definitions[1], "definition_en": definitions[2],
    }
