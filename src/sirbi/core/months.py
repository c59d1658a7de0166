"""Month names as our catalogs give them, over Django's: Portuguese writes them in lower case inside dates
("9 de novembro de 2022"), where Django's Portuguese catalog capitalises them ("Novembro"). The names are the
msgids Django's date formats look up (django.utils.dates.MONTHS); listing them here keeps them in our catalogs."""

from django.utils.translation import gettext_lazy as _

MONTHS = (_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
          _("September"), _("October"), _("November"), _("December"))
