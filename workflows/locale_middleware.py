class ChineseByDefaultMiddleware:
    """The UI is Chinese unless the person picks English (language cookie).

    Django's LocaleMiddleware would otherwise follow the browser's
    Accept-Language, and an English-language browser on a bureau PC would get a
    half-translated page. Runs before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
