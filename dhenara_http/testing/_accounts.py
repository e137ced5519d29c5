"""The mock server's own Google identities: a service-account key and gcloud user credentials made for tests only.

The RSA key was generated for ``dhenara_http``'s tests and mock server; it is registered nowhere and grants nothing
anywhere (its ``token_uri`` is on the reserved ``.invalid`` domain, so it cannot even reach Google by accident).
It ships as a fixed key because generating one at run time would need a cryptography package. The mock's token
endpoint checks assertions against its public key.
"""

from __future__ import annotations

from typing import Any

PROJECT_ID = "dhenara-mock-project"
CLIENT_EMAIL = f"mock-vertex@{PROJECT_ID}.iam.gserviceaccount.com"
PRIVATE_KEY_ID = "73b776736e09bdb2b4b7aa42cc4a4c3665661eb0"
#: Where the key file says tokens are issued; ``MockProviderServer.api("google_vertex_ai")`` points it at the server.
TOKEN_URI = "https://oauth2.mock.invalid/token"

PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCnlwbQbwZflWqS
aoIzkeqHaDjGqij/J4yagpzCm/GKZx3+VF6d2NMCo42zQudXmI6JvwxSLOp+xKYf
x2IggLpv6tnkaKLOpQ/f2rvolEhjk5up+UiUgzUOsjFSisYVRnrwKmNTg18OOtUx
X9N8I9d+ZDjazUFptNax/q9PbsPjcuOxfR2Q/zQIrKSAX8fJ/YZLCaz5wf30e05I
cRfZQqejgWDlZjksn92ngFtjwxPUq12vTx3fRmAkP+BVHXLI0P2NDkh8aI5meqYi
R7xjaF05+faiRw4j7TUWZKqRnKUAx0jl6+cffmHxtS/FMAG2QmzYC5KpTOH4osdT
LKt8lrAVAgMBAAECggEAAKi+cWrUPY4Ryt8ItKp8n7Gmri70jQ7DqhwLmqnQjm0a
AKph0dId3dEGIeMzC2fsK5lkqtibx6NlgEYp6yPxJJTyY9lck15+w+wROKvc5sJL
s3nP9hocAr9aeZN4Wvrd4vyJS0Z+1fuXlt85yDf7NCqPWPQqDTM3uErnP/M7JWjE
EH7STNzqzjdVFT2S1B3T1fphXI/yy9koSNFLkSDo4EJtpcGtGNG8iLY3dWhH3ott
Bg9cLSNLe3F9Lf6dC26uCRgvPo3rt73ArQV9fFxjLzOq6v0P8XJo+Uamk36Hb11u
Vl2Iv0qqpDeN+ZvMrUizJfcl1MExE+s62EzliktE4wKBgQDqgI7ih1097QxfPoHx
uB9QZN+M4bnyDtXF5xf81hpAK6ahY/PG7qJBeLJIfdb5rind5j4qKD3l3AxtN3Bg
7zpViz248fItvbe1EUuKRqZ68Us7z4EiDiQszaSIAxg1tBAWyIeS2ErXwMjhvW9x
RQVkaS7xXB6WZsGU6bwMiCA6BwKBgQC29CGDr2eQAzCsxSMwQeFvmGsSJcKRPyzV
PdjF+baNTfj3RPDjCPTiN8rTaYqQtPX+XAB2ezVIH5Opp+3IrQFJL+jrohFWCYX6
hufDSu6hPlXS1bS+D2jPID0vwQe7lEn6/7EnMl1Z+T6choDAoFYxlXdMrtnHgQWM
hsM+VMFuAwKBgAH5ozp1OWvUG06SEDYg/uKGdvuQyygmx9Yq5CDVDNONipHBbcQ3
Llau1ZGWvcDMnr2nus5QGHVfLRueY+vtF+iwi4yLPSb1eh6kTqaTgcN3VNLkJIpM
5DEcak5a+FE7ewc2GS47dCXtEcQU/GNP2YPG/wY5aGiL5QWEEnlojBzxAoGBALbU
r61em7sCRSFS/MBcBgK0qcN/8rmeDZqobLoju3foxPWucqAgMkDjipDNdwj3nqFr
pZbBt9R0oec4h1s08QUHmNfppTN63uYm7PNwLZr7pV7F7BLHaXEcAal4WNbu8SOh
ZJMMNNgWSai4jXByitCQUqFSVxaVbEsr3W+r2YWrAoGAKsW6pkgCw2bwVdO9EDOr
b9HYgoAw4KjXgZk/ZbfWP4w0DzEZaOUUu073fJ8brDxIVzMRqMnUrTYe3IkB4mTX
pEuuPymVoiW6eal7K5wFEZbAfEO5mwEwDGi1K3j2GxIcce4K2sd2vABPxChn411I
JWlo4ixstPcN4Nkq+a7oqX4=
-----END PRIVATE KEY-----
"""


def service_account(token_uri: str = TOKEN_URI) -> dict[str, Any]:
    """The key file's JSON object, as the Google Cloud console writes it."""
    return {
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": PRIVATE_KEY_ID,
        "private_key": PRIVATE_KEY,
        "client_email": CLIENT_EMAIL,
        "client_id": "726253888991560493498",
        "auth_uri": "https://accounts.mock.invalid/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.mock.invalid/oauth2/v1/certs",
        "client_x509_cert_url": f"https://www.mock.invalid/robot/v1/metadata/x509/{CLIENT_EMAIL.replace('@', '%40')}",
        "universe_domain": "googleapis.com",
    }


USER_CLIENT_ID = "764086051850-mock.apps.mock.invalid"
USER_CLIENT_SECRET = "mock-client-secret-d-KMAq"
USER_REFRESH_TOKEN = "1//mock-refresh-token-0gq5RZ3xLQ"


def authorized_user(token_uri: str = TOKEN_URI) -> dict[str, Any]:
    """gcloud's ``application_default_credentials.json`` for a user, as ``gcloud auth application-default login``
    writes it (with ``token_uri``, which gcloud leaves to its default)."""
    return {
        "type": "authorized_user",
        "client_id": USER_CLIENT_ID,
        "client_secret": USER_CLIENT_SECRET,
        "refresh_token": USER_REFRESH_TOKEN,
        "quota_project_id": PROJECT_ID,
        "token_uri": token_uri,
        "universe_domain": "googleapis.com",
    }
