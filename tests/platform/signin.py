"""Signing a test client in as the portal would, second factor included."""


def verified(client, user):
    """Signs `user` in on the test client with a verified second factor (a confirmed TOTP device),
    as the portal's /login/code/ page would."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from authenticators.models import EncryptedTOTPDevice

    device, _ = EncryptedTOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
