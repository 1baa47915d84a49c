"""The emails of requests for quotes, each in its recipient's language, through the site's
mail queue (``purchases.mail``). Every email to an enterprise carries the signed link to its
preferences, where it stops or pauses requests at once, and gives it to mail clients for their
own unsubscribe button (``List-Unsubscribe``, a one-click POST that stops requests). Every
email to a buyer carries the signed link that stops the buyer's notices at once, which the
notices also give mail clients the same way, and a notice still waiting to be sent when the
buyer stops them is not sent, nor is a request still waiting when its enterprise stops them."""

import hashlib
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from purchases.mail import queue_mail

from . import links
from .models import BuyerNotice, EnterprisePreference, QuoteInvitation, language_of

SIGNUP_MAILS_PER_HOUR = 3


def site_language(language):
    """The code to activate for a stored "fr" or "en": French is the site's default
    (``fr-ca``), whose addresses carry no language prefix."""
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE.startswith(language) else language


def queue(stem, context, language, recipient, headers=None):
    with translation.override(site_language(language)):
        subject = " ".join(
            render_to_string(f"procurement/email/{stem}_subject.txt", context).split()
        )
        body = render_to_string(f"procurement/email/{stem}.txt", context)
    return queue_mail(EmailMessage(subject, body, to=[recipient], headers=headers))


def enterprise_links(invitation, absolute_uri, language):
    """The response and preference links, in the enterprise's language."""
    with translation.override(site_language(language)):
        return {
            "respond_url": absolute_uri(reverse(
                "procurement:respond", args=[links.make_token(links.RESPOND, invitation.pk)]
            )),
            "preferences_url": absolute_uri(reverse(
                "procurement:preferences",
                args=[links.make_token(links.PREFERENCES, invitation.enterprise_id)],
            )),
        }


def buyer_name(request):
    """Who the enterprise reads the request from: the member organization or the buyer
    account's organization."""
    if request.organization_id:
        return request.organization.name
    profile = getattr(request.buyer, "buyer_profile", None)
    return profile.organization_name if profile else request.buyer.get_full_name()


def send_request(invitation, absolute_uri):
    """The request's e-mail, remembered on the invitation so that the worker can withdraw it
    if the enterprise stops requests before it is sent."""
    language = language_of(invitation.enterprise)
    request = invitation.request
    context = {
        "invitation": invitation, "request": request, "enterprise": invitation.enterprise,
        "buyer_name": buyer_name(request),
        **enterprise_links(invitation, absolute_uri, language),
    }
    [stored] = queue("request", context, language, invitation.enterprise.email,
                     headers=one_click_unsubscribe(context["preferences_url"]))
    invitation.request_mail = stored
    invitation.save(update_fields=["request_mail"])


def request_still_wanted(mail):
    """Checked by the mail worker as it sends each stored mail: a request whose enterprise
    opted out, or paused requests, after it was queued is withdrawn, as the opt-out promises
    ("no new request at once"). The questions and the decision about a request it received
    still go, since the buyer waits for its reply. One query, for the mails to enterprises
    only (they carry ``List-Unsubscribe``)."""
    if "List-Unsubscribe" not in mail.headers:
        return True
    return not QuoteInvitation.objects.filter(
        request_mail=mail,
        enterprise__quote_preference__in=EnterprisePreference.objects.refusing(),
    ).exists()


def send_question(follow_up, absolute_uri):
    invitation = follow_up.invitation
    language = language_of(invitation.enterprise)
    context = {
        "invitation": invitation, "request": invitation.request, "follow_up": follow_up,
        "buyer_name": buyer_name(invitation.request),
        **enterprise_links(invitation, absolute_uri, language),
    }
    queue("question", context, language, invitation.enterprise.email,
          headers=one_click_unsubscribe(context["preferences_url"]))


def unsubscribe_url(user, absolute_uri, language):
    """The buyer's signed link that stops their notices, in the email's language."""
    with translation.override(site_language(language)):
        return absolute_uri(reverse(
            "procurement:buyer_unsubscribe",
            args=[links.make_token(links.BUYER_NOTICES, user.pk)],
        ))


def one_click_unsubscribe(url):
    """RFC 2369 and RFC 8058: the mail client's own unsubscribe button posts
    ``List-Unsubscribe=One-Click`` to the link, without opening it."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def notice_still_wanted(mail):
    """Checked by the mail worker as it sends each stored mail
    (``purchases.mail.register_delivery_check``): a notice whose buyer stopped the notices
    after it was queued is withdrawn. A notice is known by its unsubscribe link, whose signed
    token names the buyer; any other mail is wanted."""
    link = mail.headers.get("List-Unsubscribe", "").strip("<>")
    token = urlsplit(link).path.rstrip("/").rpartition("/")[2]
    try:
        user_pk = links.read_token(links.BUYER_NOTICES, token)
    except links.BadLink:
        return True
    return BuyerNotice.objects.wanted_by(user_pk)


def notify_buyer(invitation, absolute_uri, follow_up=None):
    """The buyer learns of an answer, or of the enterprise's reply to a question, unless they
    stopped the notices (the answer stays on the request's page); checked again when the
    worker sends it."""
    request = invitation.request
    if not BuyerNotice.objects.wanted_by(request.buyer):
        return
    with translation.override(site_language(request.language)):
        url = absolute_uri(request.get_absolute_url())
    context = {
        "invitation": invitation, "request": request, "follow_up": follow_up,
        "enterprise": invitation.enterprise, "url": url,
        "unsubscribe_url": unsubscribe_url(request.buyer, absolute_uri, request.language),
    }
    queue("answer", context, request.language, request.buyer.email,
          headers=one_click_unsubscribe(context["unsubscribe_url"]))


def send_buyer_confirmation(profile, absolute_uri):
    """Sent even to a buyer who stopped the notices: it is the account's own confirmation."""
    with translation.override(site_language(profile.language)):
        url = absolute_uri(reverse(
            "procurement:buyer_confirm", args=[links.make_token(links.CONFIRM_BUYER, profile.pk)]
        ))
    context = {
        "profile": profile, "url": url,
        "unsubscribe_url": unsubscribe_url(profile.user, absolute_uri, profile.language),
    }
    queue("confirm_buyer", context, profile.language, profile.user.email)


def signup_mail_allowed(email):
    """At most ``SIGNUP_MAILS_PER_HOUR`` sign-up emails to one address in an hour: signing up
    again resends the confirmation, or tells an account's owner, and neither may become a way
    to flood someone's mailbox. Counted in the cache, by a digest of the address."""
    digest = hashlib.sha256(email.encode()).hexdigest()
    key = f"procurement-signup-mail:{digest}:{int(time.time() // 3600)}"
    cache.add(key, 0, 3600)
    try:
        return cache.incr(key) <= SIGNUP_MAILS_PER_HOUR
    except ValueError:  # expired between the two calls
        return cache.add(key, 1, 3600)


def send_account_exists(email, language, absolute_uri):
    """Someone signed up as a buyer with an address that already has an account: its owner
    learns how to sign in or reset the password, and the page said only "check your email"."""
    with translation.override(site_language(language)):
        context = {
            "login_url": absolute_uri(reverse("purchases:login")),
            "reset_url": absolute_uri(reverse("purchases:password_reset")),
        }
    queue("account_exists", context, language, email)


def send_decision(invitation, absolute_uri):
    """An enterprise that answered learns that the buyer decided, and whether it was chosen:
    none waits for an answer that will not come."""
    language = language_of(invitation.enterprise)
    request = invitation.request
    context = {
        "invitation": invitation, "request": request, "buyer_name": buyer_name(request),
        "chosen": request.chosen_id == invitation.pk,
        **enterprise_links(invitation, absolute_uri, language),
    }
    queue("decision", context, language, invitation.enterprise.email,
          headers=one_click_unsubscribe(context["preferences_url"]))
