"""A cluster page of the union catalog carries a schema.org Book: ISBN, authors, language and every
library that holds it (as an offer to lend), read back with extruct."""

import extruct

from sirbi.catalog.models import Record


def test_a_cluster_page_is_a_book_with_the_libraries_that_hold_it(catalog, client):
    record = Record.objects.filter(title__startswith="The pragmatic programmer").first()
    path = f"/en/catalog/clusters/{record.cluster_id}/"
    [book] = extruct.extract(client.get(path).content.decode(), base_url="http://testserver" + path,
                             syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert book["@type"] == "Book" and book["name"].startswith("The pragmatic programmer")
    assert book["isbn"] == ["9780201616224"] and book["inLanguage"] == "en"
    assert {author["name"] for author in book["author"]} == set(record.authors)
    lenders = {offer["offeredBy"]["name"]: offer["offeredBy"] for offer in book["offers"]}
    assert set(lenders) == {"Biblioteca Municipal de Lima", "Biblioteca Popular de Palermo"}
    assert lenders["Biblioteca Municipal de Lima"]["identifier"]["value"] == "PE-LIM01"
    assert all(offer["businessFunction"] == "http://purl.org/goodrelations/v1#LeaseOut" for offer in book["offers"])
