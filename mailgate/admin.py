from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError

from . import services
from .models import InboundMessage, Mailbox, MailboxRule


class MailboxForm(forms.ModelForm):
    # Never shown back; left empty, the stored password stays.
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput(render_value=False), required=False
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "host",
            "port",
            "security",
            "username",
            "password",
            "inbox_folder",
            "processed_folder",
            "errors_folder",
            "is_active",
        ]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password and self.instance.pk:
            return self.instance.password
        if not password:
            raise forms.ValidationError(_("Give the mailbox's password."))
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "host", "username", "is_active", "last_run_at", "last_error"]
    readonly_fields = ["last_run_at", "last_error"]


@admin.register(MailboxRule)
class MailboxRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "position", "theme", "team"]
    list_editable = ["position"]


class QuarantineActionForm(admin.helpers.ActionForm):
    ticket = forms.IntegerField(label=_("ticket number"), required=False, min_value=1)


class TicketNumberForm(forms.Form):
    """The number typed beside the actions, read alone (the action list is admin's)."""

    ticket = forms.IntegerField(min_value=1, max_value=2**31 - 1)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "state", "reason", "ticket"]
    list_filter = ["state", "mailbox"]
    search_fields = ["sender", "subject", "key"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields if f.name != "raw"]
    readonly_fields += ["text"]
    exclude = ["raw"]
    action_form = QuarantineActionForm
    actions = ["accept_as_ticket", "attach_to_ticket", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("message"))
    def text(self, record):
        return bytes(record.raw)[:20000].decode("utf-8", "replace")

    def _each(self, request, queryset, do):
        done = 0
        for record in queryset.filter(state=InboundMessage.State.QUARANTINE):
            try:
                do(record)
            except DomainError as error:
                self.message_user(request, f"{record}: {error}", messages.ERROR)
                continue
            done += 1
        handled = ngettext("%(count)d message handled.", "%(count)d messages handled.", done)
        self.message_user(request, handled % {"count": done})

    @admin.action(description=_("Accept as a ticket (from the sender's account, or mine)"))
    def accept_as_ticket(self, request, queryset):
        from django.contrib.auth import get_user_model

        def accept(record):
            sender = get_user_model().objects.filter(email__iexact=record.sender).first()
            services.quarantine_accept(record=record, requester=sender or request.user)

        self._each(request, queryset, accept)

    @admin.action(description=_("Attach to the ticket whose number is given"))
    def attach_to_ticket(self, request, queryset):
        from tickets.models import Ticket

        form = TicketNumberForm(request.POST)
        number = form.cleaned_data.get("ticket") if form.is_valid() else None
        ticket = Ticket.objects.filter(pk=number).first() if number else None
        if ticket is None:
            self.message_user(request, _("Give the number of an existing ticket."), messages.ERROR)
            return
        self._each(
            request,
            queryset,
            lambda r: services.quarantine_attach(record=r, ticket=ticket, author=request.user),
        )

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        self._each(request, queryset, lambda r: services.quarantine_reject(record=r))
