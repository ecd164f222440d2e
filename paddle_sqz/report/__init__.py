"""paddle_sqz.report"""
